// Where a round of a channel's order poll reads (channel-shopify, channel-amazon). An order
// updated at T may show up in the channel's list only some time later (index lag, at most
// `settle`), so a round has two passes:
// - the settled pass lists the orders updated from the persisted cursor C to P - settle (P: the
//   round's start) and then moves C there. Invariant: every order updated before C was listed at
//   least `settle` after its update, when it was visible. It owns the guarantee, and lists each
//   order about once.
// - the fresh pass lists the orders updated since the previous round of this process (where it
//   started, or where the channel said its answer ended), to catch what the channel's push missed
//   (or, without one, every new order) within a round rather than after `settle`. It never moves C.
// Both windows reach back a small margin: the channels show update times to the second (Shopify's
// updated_at, Amazon's LastUpdateDate), so an update may show up to a second before it happened,
// and bounds go with one-second resolution.

/** How far each window reaches back before where the previous one ended. */
export const ORDER_POLL_BOUNDARY_MARGIN_MS = 2_000;

export interface OrderPollWindowInput {
  /** The persisted cursor C; null before an account's first poll. */
  cursor: Date | null;
  /**
   * Where this process's previous round of the account started (F), or where the channel said its
   * answer to that round's fresh pass ended when that is earlier; null in the process's first round.
   */
  previousRoundStart: Date | null;
  /** This round's start (P). */
  now: Date;
  /** How late an updated order may appear in the channel's list. */
  settleMs: number;
  /** Where an account's first poll starts, back from now. */
  lookbackMs: number;
  /** How far each window reaches back before where the previous one ended (ORDER_POLL_BOUNDARY_MARGIN_MS). */
  marginMs: number;
}

export interface OrderPollWindows {
  /** Orders updated from `min` to `max`, both inclusive; null when there is nothing to settle (P - settle <= C). */
  settled: { min: Date; max: Date } | null;
  /** Orders updated from `min` on. */
  fresh: { min: Date };
  /**
   * The cursor once the settled pass is complete (`settled.max`). Without a settled pass: the
   * cursor as it is, or on an account's first poll where that poll starts, to be persisted so
   * that later rounds settle from there.
   */
  cursor: Date;
}

export function orderPollWindows(input: OrderPollWindowInput): OrderPollWindows {
  const { cursor, previousRoundStart, now, settleMs, lookbackMs, marginMs } = input;
  // An account's first poll reads from `lookback` back, as if its cursor were there.
  const from = cursor?.getTime() ?? now.getTime() - lookbackMs;
  const settledUpTo = now.getTime() - settleMs;
  const settles = settledUpTo > from;
  const cursorAfter = settles ? settledUpTo : from;
  // Before the settled pass's end, the settled pass of this round lists what the fresh pass would.
  const freshFrom = Math.max(previousRoundStart?.getTime() ?? from, cursorAfter) - marginMs;
  const earliest = cursor === null ? from : from - marginMs;
  return {
    settled: settles ? { min: new Date(earliest), max: new Date(settledUpTo) } : null,
    fresh: { min: new Date(Math.max(freshFrom, earliest)) },
    cursor: new Date(cursorAfter),
  };
}
