/**
 * Whether the ERP submission window may start calls to the ERP connector now, and how many.
 * After the connector answered UNAVAILABLE the gate stays closed for a growing backoff; then,
 * once the calls still out have come back, it lets one order through (the oldest reserved one)
 * to probe, and opens fully only when the probe gets an answer from the ERP. So while the ERP is
 * down nothing hammers it, and when it returns the reserved orders drain oldest first.
 *
 * Calls carry the epoch they started in: a failure closes the gate once (the calls that were out
 * with it and fail too do not lengthen the backoff), and only a call started since the last
 * failure (the probe) can open it again (a call that was out before and succeeds late cannot).
 */
export class ErpGate {
  private failures = 0;
  private closedUntil = 0;
  private probing = false;
  private currentEpoch = 0;

  constructor(private readonly backoff: { initialMs: number; maxMs: number }) {}

  /** The epoch a call started now belongs to. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** No failure since the last answer from the ERP: every free place may start a call. */
  get open(): boolean {
    return this.failures === 0;
  }

  /** Calls that may start now, given `free` places in the window and `inFlight` calls still out (0: wait). */
  admit(free: number, now: number, inFlight: number): number {
    if (this.failures === 0) return free;
    if (this.probing || inFlight > 0 || now < this.closedUntil || free < 1) return 0;
    this.probing = true;
    return 1;
  }

  /** A call started in `epoch` got an answer from the ERP (created, existing or rejected). */
  succeeded(epoch: number): void {
    if (epoch !== this.currentEpoch) return;
    this.failures = 0;
    this.probing = false;
  }

  /** A call started in `epoch` found the ERP unavailable: close for the next backoff. */
  unavailable(now: number, epoch: number): void {
    if (epoch !== this.currentEpoch) return;
    this.failures += 1;
    this.currentEpoch += 1;
    this.probing = false;
    this.closedUntil = now + backoffMs(this.failures, this.backoff.initialMs, this.backoff.maxMs);
  }

  /** The probe admitted was not sent (nothing was claimed): the probe slot is free again. */
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
