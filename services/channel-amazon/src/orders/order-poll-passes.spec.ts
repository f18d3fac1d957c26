import { describe, expect, it } from 'vitest';
import { answeredUpTo, earlierAnswer, orderPollPasses, type OrderPollPassesInput } from './order-poll-passes.js';

const t0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

// Production's shape: settle 300 s (AMAZON_ORDER_POLL_OVERLAP_MS), lookback a day; a round every 120 s.
const SETTINGS = { settleMs: 300_000, lookbackMs: 86_400_000 };

function passes(input: Partial<OrderPollPassesInput> & Pick<OrderPollPassesInput, 'now'>) {
  return orderPollPasses({ cursor: null, previousFreshEnd: null, ...SETTINGS, ...input });
}

describe('orderPollPasses', () => {
  it("settles an account's first poll from the lookback to the settle time before the round, and lists fresh from there", () => {
    expect(passes({ now: at(0) })).toEqual({
      settled: { lastUpdatedAfter: at(-86_400), lastUpdatedBefore: at(-300) },
      fresh: { lastUpdatedAfter: at(-302) },
      firstCursor: null,
    });
  });

  it('persists where the first poll starts when the lookback is shorter than the settle time, and settles from there later', () => {
    expect(passes({ now: at(0), lookbackMs: 60_000 })).toEqual({
      settled: null,
      fresh: { lastUpdatedAfter: at(-60) },
      firstCursor: at(-60),
    });
    expect(passes({ now: at(360), cursor: at(-60), previousFreshEnd: at(240) })).toEqual({
      settled: { lastUpdatedAfter: at(-62), lastUpdatedBefore: at(60) },
      fresh: { lastUpdatedAfter: at(238) },
      firstCursor: null,
    });
  });

  it('settles from the cursor less the margin (LastUpdatedBefore two minutes old at least), and lists fresh from where Amazon answered last', () => {
    const round = passes({ now: at(1_000), cursor: at(580), previousFreshEnd: at(880) });
    expect(round).toEqual({
      settled: { lastUpdatedAfter: at(578), lastUpdatedBefore: at(700) },
      fresh: { lastUpdatedAfter: at(878) },
      firstCursor: null,
    });
    expect(round.settled!.lastUpdatedBefore.getTime()).toBeLessThanOrEqual(at(1_000).getTime() - 120_000);
  });

  it('skips the settled pass while there is nothing to settle, and never moves the cursor then', () => {
    // Another replica moved the cursor to where this round would, or a longer settle time came with a restart.
    expect(passes({ now: at(1_000), cursor: at(700), previousFreshEnd: at(880) })).toEqual({
      settled: null,
      fresh: { lastUpdatedAfter: at(878) },
      firstCursor: null,
    });
  });

  it('lists fresh from where this round settles to in the first round of a process (after a restart or a lease change)', () => {
    expect(passes({ now: at(1_000), cursor: at(400) }).fresh).toEqual({ lastUpdatedAfter: at(698) });
  });

  for (const [name, answerLagMs] of [
    ['up to the request', 0],
    ['up to two minutes before the request, as MWS did', 120_000],
  ] as const) {
    it(`lists every update at least once per pass and about once settled, with no gap, when Amazon answers ${name}`, () => {
      let cursor: Date | null = null;
      let previousFreshEnd: Date | null = null;
      const listings = { settled: new Map<number, number>(), fresh: new Map<number, number>() };
      // Updates of every second up to the round, each visible at once; Amazon answers up to `answered`.
      const list = (pass: keyof typeof listings, after: Date, before: Date) => {
        for (let second = 1; at(second) <= before; second++) {
          if (at(second) >= after) listings[pass].set(second, (listings[pass].get(second) ?? 0) + 1);
        }
      };
      for (let now = 0; now <= 3_600; now += 120) {
        const round = passes({ now: at(now), cursor, previousFreshEnd });
        const answered = new Date(t0 + now * 1000 - answerLagMs);
        // Sent without LastUpdatedBefore: Amazon's own bound must not be before it (MWS refused that).
        expect(round.fresh.lastUpdatedAfter.getTime()).toBeLessThanOrEqual(answered.getTime());
        list('fresh', round.fresh.lastUpdatedAfter, answered);
        previousFreshEnd = answeredUpTo(at(now), answered);
        if (round.settled) {
          list('settled', round.settled.lastUpdatedAfter, round.settled.lastUpdatedBefore);
          // Amazon answers a settled pass up to the LastUpdatedBefore it was sent.
          cursor = round.settled.lastUpdatedBefore;
        } else if (round.firstCursor) cursor = round.firstCursor;
      }
      expect(cursor).toEqual(at(3_600 - 300));
      // Every second both passes are done with: once, or twice where a window reaches back the margin
      // over the previous one's inclusive end (settled windows end at P - 300 s, 60 s into a round's
      // 120; fresh ones where Amazon answered, at a round's start or two minutes before it).
      const twice = (second: number, end: number) => [end - 2, end - 1, end].some((edge) => (second - edge) % 120 === 0);
      for (let second = 1; second < 3_000; second++) {
        expect([second, listings.settled.get(second)]).toEqual([second, twice(second, 60) ? 2 : 1]);
        expect([second, listings.fresh.get(second)]).toEqual([second, twice(second, 0) ? 2 : 1]);
      }
    });
  }
});

describe('answeredUpTo', () => {
  it("takes Amazon's LastUpdatedBefore when its answer ends earlier than asked, else what was asked", () => {
    expect(answeredUpTo(at(700), at(640))).toEqual(at(640));
    expect(answeredUpTo(at(700), at(700))).toEqual(at(700));
    // A later bound (a clock ahead of ours, or an answer to the request time) vouches for no more than was asked.
    expect(answeredUpTo(at(700), at(760))).toEqual(at(700));
    expect(answeredUpTo(at(700), undefined)).toEqual(at(700));
  });
});

describe('earlierAnswer', () => {
  it("keeps the earliest LastUpdatedBefore of a pass's pages, ignoring missing and unreadable ones", () => {
    let answered = earlierAnswer(undefined, undefined);
    expect(answered).toBeUndefined();
    answered = earlierAnswer(answered, '2026-11-27T10:05:00Z');
    answered = earlierAnswer(answered, 'not a time');
    answered = earlierAnswer(answered, '2026-11-27T10:06:00Z');
    expect(answered).toEqual(at(300));
    expect(earlierAnswer(answered, '2026-11-27T10:04:59Z')).toEqual(at(299));
  });
});
