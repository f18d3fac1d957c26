/**
 * Whether the ERP submission worker may call the ERP connector now, and how many orders at once.
 * After the connector answered UNAVAILABLE the gate stays closed for a growing backoff, then lets
 * one order through (the oldest reserved one) to probe; only when the probe succeeds does it
 * open fully. So while the ERP is down nothing hammers it, and when it returns the reserved
 * orders drain oldest first.
 */
export class ErpGate {
  private failures = 0;
  private closedUntil = 0;
  private probing = false;

  constructor(private readonly backoff: { initialMs: number; maxMs: number }) {}

  /** Orders a pass may send now (0: wait). Call `settled` once the pass's calls are done. */
  admit(batchSize: number, now: number): number {
    if (this.failures === 0) return batchSize;
    if (now < this.closedUntil || this.probing) return 0;
    this.probing = true;
    return 1;
  }

  /** Every call of the pass got an answer from the ERP (created, existing or rejected). */
  succeeded(): void {
    this.failures = 0;
    this.probing = false;
  }

  /** A call found the ERP unavailable: close for the next backoff. */
  unavailable(now: number): void {
    this.failures += 1;
    this.probing = false;
    this.closedUntil = now + backoffMs(this.failures, this.backoff.initialMs, this.backoff.maxMs);
  }

  /** The pass ended without calling (nothing was claimed): a probe slot it took is free again. */
  unused(): void {
    this.probing = false;
  }

  /** Milliseconds until a probe may go, 0 when open. */
  waitMs(now: number): number {
    return this.failures === 0 ? 0 : Math.max(0, this.closedUntil - now);
  }
}

/** `initialMs` doubled per failure after the first, capped at `maxMs`. */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}
