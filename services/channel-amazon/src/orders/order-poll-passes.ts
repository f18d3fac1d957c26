// Where a round of the getOrders poll reads: channel-kit's two passes (orderPollWindows), with
// Amazon's bounds. What Amazon documents (ordersV0.json, the getOrders reference):
// LastUpdatedAfter selects orders updated "after (or at)" it, LastUpdatedBefore those updated
// "before (or at)" it, both inclusive; a LastUpdatedBefore sent must be equal to or after
// LastUpdatedAfter and at least two minutes before the current time (else 400 InvalidInput, with
// a generic message: selling-partner-api-docs issue 326); the payload's LastUpdatedBefore is the
// time up to which the answer is complete, and may be earlier than the one asked for (Amazon's
// MWS advice for ListOrders: the period answered can be shorter than requested, record it to
// leave no gap; without LastUpdatedBefore, MWS answered up to two minutes before the request).
// So, per round (P: its start, by this process's clock):
// - the settled pass sends LastUpdatedAfter = cursor - margin and LastUpdatedBefore = P - settle
//   (settle >= 2 minutes, or Amazon refuses it), and the cursor moves to where Amazon says that
//   answer ends: the payload's LastUpdatedBefore (the earliest of its pages) when it is earlier
//   than the one sent, else the one sent. Every order updated before the cursor was listed at
//   least `settle` after its update. Only a complete settled pass moves the cursor, and only
//   forward (OrderCursorRepository.advance).
// - the fresh pass sends only LastUpdatedAfter: from where Amazon said its answer to this
//   process's previous fresh pass ended (at most that round's start), less the margin; in the
//   process's first round from where the settled pass ends. It never moves the cursor. Starting
//   from Amazon's answered end rather than the round's start leaves no gap when Amazon answers up
//   to two minutes before the request, and keeps LastUpdatedAfter before that default bound.
// - the margin (ORDER_POLL_BOUNDARY_MARGIN_MS, 2 s) applies as for Shopify: LastUpdateDate shows
//   whole seconds (an update shows up to a second before it happened) and Amazon's answered
//   LastUpdatedBefore comes to the second too.
// Each order is listed about twice (once per pass), instead of once per round of the old overlap
// (3.5 times at the defaults); a quiet round costs two getOrders calls instead of one.
import { ORDER_POLL_BOUNDARY_MARGIN_MS, orderPollWindows } from '@retail-mesh/channel-kit';

export interface OrderPollPassesInput {
  /** The persisted cursor; null before an account's first poll. */
  cursor: Date | null;
  /** Where Amazon's answer to this process's previous fresh pass of the account ended (answeredUpTo); null in its first round. */
  previousFreshEnd: Date | null;
  /** The round's start (P). */
  now: Date;
  /** How late an updated order may appear in getOrders (AMAZON_ORDER_POLL_OVERLAP_MS). */
  settleMs: number;
  /** Where an account's first poll starts, back from now. */
  lookbackMs: number;
}

export interface OrderPollPasses {
  /** getOrders of the fresh pass: no LastUpdatedBefore (up to where Amazon's answer ends). */
  fresh: { lastUpdatedAfter: Date };
  /** getOrders of the settled pass; null when there is nothing to settle (P - settle not past the cursor). */
  settled: { lastUpdatedAfter: Date; lastUpdatedBefore: Date } | null;
  /** An account's first poll with nothing to settle yet: the cursor to persist (where it starts), so later rounds settle from there. */
  firstCursor: Date | null;
}

export function orderPollPasses(input: OrderPollPassesInput): OrderPollPasses {
  const { cursor, previousFreshEnd, now, settleMs, lookbackMs } = input;
  const windows = orderPollWindows({
    cursor,
    previousRoundStart: previousFreshEnd,
    now,
    settleMs,
    lookbackMs,
    marginMs: ORDER_POLL_BOUNDARY_MARGIN_MS,
  });
  return {
    fresh: { lastUpdatedAfter: windows.fresh.min },
    settled: windows.settled && { lastUpdatedAfter: windows.settled.min, lastUpdatedBefore: windows.settled.max },
    firstCursor: windows.settled === null && cursor === null ? windows.cursor : null,
  };
}

/**
 * Where a pass's answer ends: Amazon's LastUpdatedBefore when it is earlier than what was asked
 * (the answer is complete only up to there), else what was asked (the settled pass's
 * LastUpdatedBefore; for the fresh pass, the round's start). Without one, what was asked.
 */
export function answeredUpTo(asked: Date, answered: Date | undefined): Date {
  return answered !== undefined && answered < asked ? answered : asked;
}

/** The earlier of two answered bounds (a pass's pages), a missing or unreadable one ignored. */
export function earlierAnswer(current: Date | undefined, lastUpdatedBefore: string | undefined): Date | undefined {
  const ms = lastUpdatedBefore === undefined ? Number.NaN : Date.parse(lastUpdatedBefore);
  if (Number.isNaN(ms)) return current;
  return current === undefined || ms < current.getTime() ? new Date(ms) : current;
}
