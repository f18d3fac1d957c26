/**
 * One timer that calls `callback` at the earliest time asked for: a loop arms it for its poll, a
 * back-off or work that comes due later, and a later request never postpones an earlier one.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;

  constructor(private readonly callback: () => void) {}

  /** Calls back in `delayMs`, or sooner if already due sooner. */
  within(delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (this.timer !== undefined) {
      if (this.dueAt <= dueAt) return;
      clearTimeout(this.timer);
    }
    this.dueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.callback();
    }, delayMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
