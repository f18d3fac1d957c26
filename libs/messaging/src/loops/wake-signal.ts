import { DueTimer } from './due-timer.js';

export interface SleepOptions {
  /** Whether a wake ends the sleep early: false for a back-off, which a burst of commits must not cut short. */
  wakeable: boolean;
  /**
   * A checkpoint taken when the loop's pass began: a wakeable sleep ends at once if a wake came
   * since (it may announce work the pass did not see).
   */
  since?: number;
}

interface Sleeper {
  wakeable: boolean;
  finish(): void;
}

/**
 * How a background loop learns there is work: `wake()` right after a commit, `wakeWithin(ms)` for
 * a backstop poll or a back-off. A loop written as `while` awaits `sleep()`; a loop driven by
 * callbacks passes `onWake`. A wake that arrives while the loop is busy is not lost: the loop
 * takes a `checkpoint()` as a pass begins and asks `wokenSince()` when it ends. `stop()` ends
 * every sleep, and wakes and sleeps after it do nothing.
 */
export class WakeSignal {
  private wakes = 0;
  private stopped = false;
  private readonly sleepers = new Set<Sleeper>();
  private readonly timer = new DueTimer(() => this.wake());

  constructor(private readonly onWake: () => void = () => undefined) {}

  /** Work arrived: ends the earliest wakeable sleep (one loop looking is enough) and calls `onWake`. */
  wake(): void {
    if (this.stopped) return;
    this.wakes += 1;
    for (const sleeper of this.sleepers) {
      if (!sleeper.wakeable) continue;
      sleeper.finish();
      break;
    }
    this.onWake();
  }

  /** Wakes in `delayMs`, or sooner if a timed wake is already due sooner. */
  wakeWithin(delayMs: number): void {
    if (!this.stopped) this.timer.within(delayMs);
  }

  /** Marks the wakes so far as seen (take it as a pass begins: the pass sees what they announced). */
  checkpoint(): number {
    return this.wakes;
  }

  wokenSince(checkpoint: number): boolean {
    return this.wakes !== checkpoint;
  }

  /** Resolves after `ms`, or sooner: on a wake if wakeable, or on `stop()`. */
  sleep(ms: number, { wakeable, since }: SleepOptions): Promise<void> {
    if (this.stopped || (wakeable && since !== undefined && this.wokenSince(since))) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        wakeable,
        finish: () => {
          clearTimeout(timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const timer = setTimeout(sleeper.finish, ms);
      this.sleepers.add(sleeper);
    });
  }

  stop(): void {
    this.stopped = true;
    this.timer.cancel();
    for (const sleeper of [...this.sleepers]) sleeper.finish();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
