import { describe, expect, it } from 'vitest';
import { orderPollWindows, type OrderPollWindowInput } from './order-poll-window.js';

const t0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

// Production's shape: settle 300 s, margin 2 s, lookback a day; a round every 10 s.
const SETTINGS = { settleMs: 300_000, marginMs: 2_000, lookbackMs: 86_400_000 };

function windows(input: Partial<OrderPollWindowInput> & Pick<OrderPollWindowInput, 'now'>) {
  return orderPollWindows({ cursor: null, previousRoundStart: null, ...SETTINGS, ...input });
}

describe('orderPollWindows', () => {
  it("settles an account's first poll from the lookback on and lists the last settle time fresh", () => {
    expect(windows({ now: at(0) })).toEqual({
      settled: { min: at(-86_400), max: at(-300) },
      fresh: { min: at(-302) },
      cursor: at(-300),
    });
  });

  it('starts the cursor where the first poll starts when the lookback is shorter than the settle time', () => {
    expect(windows({ now: at(0), lookbackMs: 60_000 })).toEqual({ settled: null, fresh: { min: at(-60) }, cursor: at(-60) });
    expect(windows({ now: at(0), lookbackMs: 0 })).toEqual({ settled: null, fresh: { min: at(0) }, cursor: at(0) });
    // Later rounds settle from there, once the settle time has passed it.
    expect(windows({ now: at(230), cursor: at(-60), previousRoundStart: at(220) })).toEqual({
      settled: null,
      fresh: { min: at(218) },
      cursor: at(-60),
    });
    expect(windows({ now: at(250), cursor: at(-60), previousRoundStart: at(240) })).toEqual({
      settled: { min: at(-62), max: at(-50) },
      fresh: { min: at(238) },
      cursor: at(-50),
    });
  });

  it('settles from the cursor, less the margin, to the settle time before the round, and lists fresh from the previous round on', () => {
    expect(windows({ now: at(1_000), cursor: at(690), previousRoundStart: at(990) })).toEqual({
      settled: { min: at(688), max: at(700) },
      fresh: { min: at(988) },
      cursor: at(700),
    });
  });

  it('lists each update about twice over consecutive rounds: once settled and once fresh, twice at a margin', () => {
    let cursor: Date | null = null;
    let previousRoundStart: Date | null = null;
    const listings = { settled: new Map<number, number>(), fresh: new Map<number, number>() };
    // Updates of every second up to the round, as if each were visible at once.
    const list = (pass: keyof typeof listings, window: { min: Date; max?: Date } | null, now: number) => {
      for (let second = 1; second <= now && window; second++) {
        if (at(second) >= window.min && (window.max === undefined || at(second) <= window.max))
          listings[pass].set(second, (listings[pass].get(second) ?? 0) + 1);
      }
    };
    for (let now = 0; now <= 1_000; now += 10) {
      const next = windows({ now: at(now), cursor, previousRoundStart });
      list('fresh', next.fresh, now);
      list('settled', next.settled, now);
      cursor = next.cursor;
      previousRoundStart = at(now);
    }
    expect(cursor).toEqual(at(700));
    // The seconds whose settled listings are all done (the last settled window ended at 700).
    for (let second = 1; second < 680; second++) {
      expect([second, listings.settled.get(second)]).toEqual([second, second % 10 === 0 || second % 10 >= 8 ? 2 : 1]);
      expect([second, listings.fresh.get(second)]).toEqual([second, second % 10 === 0 || second % 10 >= 8 ? 2 : 1]);
    }
  });

  it('skips the settled pass when its window is empty, without moving the cursor', () => {
    // Another replica moved the cursor to where this round would, or a longer settle time came with a restart.
    expect(windows({ now: at(1_000), cursor: at(700), previousRoundStart: at(990) })).toEqual({
      settled: null,
      fresh: { min: at(988) },
      cursor: at(700),
    });
    expect(windows({ now: at(1_000), cursor: at(850), previousRoundStart: at(990) }).cursor).toEqual(at(850));
  });

  it('never moves the cursor back, whatever the clock or settings say', () => {
    for (const settleMs of [0, 1_000, 300_000, 900_000]) {
      for (const now of [at(500), at(1_000), at(2_000)]) {
        const cursor = at(900);
        expect(windows({ now, cursor, previousRoundStart: at(995), settleMs }).cursor.getTime()).toBeGreaterThanOrEqual(cursor.getTime());
      }
    }
  });

  it('lists fresh from where this round settles to when the previous round is older than that, or in the first round of a process', () => {
    // First round after a restart: the settled pass lists everything up to the settle time before the round.
    expect(windows({ now: at(1_000), cursor: at(400), previousRoundStart: null })).toEqual({
      settled: { min: at(398), max: at(700) },
      fresh: { min: at(698) },
      cursor: at(700),
    });
    // A round interval longer than the settle time, or a replica that moved the cursor past this process's last round.
    expect(windows({ now: at(1_000), cursor: at(690), previousRoundStart: at(600) }).fresh).toEqual({ min: at(698) });
    expect(windows({ now: at(1_000), cursor: at(850), previousRoundStart: at(600) }).fresh).toEqual({ min: at(848) });
  });
});
