import { WakeSignal } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import type { ErpGate } from './erp-gate.js';

export interface SubmissionWindowOptions<T, R> {
  name: string;
  /** Calls out at once at most (started and not yet committed). */
  size: number;
  /** Claims up to `limit` items, oldest first (none that another claim holds). */
  claim(limit: number): Promise<T[]>;
  /** Makes the call for one item; a failure is a result (a throw only logs: the claim runs out). */
  send(item: T): Promise<R>;
  /** The result says the ERP was unavailable (the item keeps its place). */
  unavailable(result: R): boolean;
  /** Writes settled results in one transaction (releasing the claims of those that wait). */
  commit(results: R[]): Promise<void>;
  gate: ErpGate;
  /** Backstop: a claim runs this long after one found less than it asked for. */
  pollIntervalMs: number;
  /** Wait after a claim failed (database unavailable). */
  retryDelayMs: number;
  logger: Logger;
}

/**
 * A sliding window of calls: up to `size` items are out at once, claimed oldest first and started
 * in that order; as calls come back their results are committed together (whatever came back
 * while the previous commit ran), and the places they free are filled by the next claim, so one
 * slow call never holds back the others. The gate decides how many may start: all free places
 * while the ERP answers, none while it is down (the items that came back waiting keep their
 * place), then a single probe with the oldest once every call that was out is back.
 */
export class SubmissionWindow<T, R> {
  private running = false;
  private inFlight = 0;
  private claiming = false;
  /** Items may wait in the queue that no claim has taken yet: items offered now would overtake them. */
  private backlog = true;
  /** Woken by `wake()` and by freed places; a claim that ran meanwhile may have missed them, so claim again. */
  private readonly signal = new WakeSignal(() => this.pump());
  /** The signal's checkpoint as the latest claim started. */
  private claimStart = 0;
  private committing = false;
  private readonly settled: R[] = [];
  private readonly whenIdle: Array<() => void> = [];

  constructor(private readonly options: SubmissionWindowOptions<T, R>) {}

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Call after committing items the window should pick up. */
  wake(): void {
    this.signal.wake();
  }

  /**
   * Takes items claimed elsewhere (just made ready) into free places and starts their calls, in
   * the order given, when nothing older can be waiting in the queue: the gate is open, no claim
   * runs and the last one took all it found. Returns the items taken; the caller ends the claims
   * of the others, which wait in the queue for the window's next claim.
   */
  offer(items: readonly T[]): T[] {
    if (!this.running || this.claiming || this.backlog || !this.options.gate.open) return [];
    const taken = items.slice(0, Math.max(0, this.options.size - this.inFlight));
    if (taken.length < items.length) this.backlog = true;
    this.startCalls(taken);
    return taken;
  }

  /** Starts no more calls and waits for those out to come back and be committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.signal.stop();
    if (!this.idle) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
  }

  /** Calls started and not yet committed. */
  get callsOut(): number {
    return this.inFlight;
  }

  private get idle(): boolean {
    return this.inFlight === 0 && !this.claiming && !this.committing;
  }

  /** Claims as many items as the gate admits into the free places, unless a claim is running already. */
  private pump(): void {
    if (!this.running || this.claiming) return;
    this.claimStart = this.signal.checkpoint();
    const now = Date.now();
    const admitted = this.options.gate.admit(this.options.size - this.inFlight, now, this.inFlight);
    if (admitted === 0) {
      const waitMs = this.options.gate.waitMs(now);
      if (waitMs > 0) this.signal.wakeWithin(waitMs);
      return;
    }
    this.claiming = true;
    void this.claimAndSend(admitted);
  }

  private async claimAndSend(limit: number): Promise<void> {
    let items: T[];
    try {
      items = await this.options.claim(limit);
    } catch (error) {
      this.options.gate.unused();
      this.options.logger.warn({ err: error, loop: this.options.name }, 'claiming work failed; retrying');
      this.claiming = false;
      this.signal.wakeWithin(this.options.retryDelayMs);
      this.settleIdle();
      return;
    }
    this.claiming = false;
    this.backlog = items.length === limit;
    if (items.length === 0) this.options.gate.unused();
    this.startCalls(items);
    // A full claim may have left more behind, and a wake-up meanwhile may announce more;
    // otherwise the poll looks again later.
    if (items.length === limit || this.signal.wokenSince(this.claimStart)) this.pump();
    else this.signal.wakeWithin(this.options.pollIntervalMs);
    this.settleIdle();
  }

  /** Starts the items' calls in the order given (claim order: the oldest item's call goes first). */
  private startCalls(items: readonly T[]): void {
    const epoch = this.options.gate.epoch;
    for (const item of items) {
      this.inFlight += 1;
      void this.send(item, epoch);
    }
  }

  private async send(item: T, epoch: number): Promise<void> {
    let result: R;
    try {
      result = await this.options.send(item);
    } catch (error) {
      // A bug, not an answer: the claim runs out and the item is taken again later.
      this.options.logger.error({ err: error, loop: this.options.name }, 'a call failed without a result');
      this.backlog = true;
      this.inFlight -= 1;
      this.signal.wake();
      this.settleIdle();
      return;
    }
    if (this.options.unavailable(result)) {
      // The item goes back to the queue, where only a claim takes it, oldest first.
      this.backlog = true;
      this.options.gate.unavailable(Date.now(), epoch);
    } else this.options.gate.succeeded(epoch);
    this.settled.push(result);
    void this.commitSettled();
  }

  /** Commits what came back, in as few transactions as arrive while one commits; then refills. */
  private async commitSettled(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    while (this.settled.length > 0) {
      const results = this.settled.splice(0);
      try {
        await this.options.commit(results);
      } catch (error) {
        // Nothing was written: the claims run out and the items are taken again (the calls are idempotent).
        this.options.logger.warn({ err: error, loop: this.options.name, results: results.length }, 'committing results failed');
        this.backlog = true;
      }
      this.inFlight -= results.length;
      // The freed places are refilled from the queue when something may wait there; else by the
      // next offer (a claim would find nothing), with the poll as the backstop.
      if (this.backlog) this.signal.wake();
    }
    this.committing = false;
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.running || !this.idle) return;
    for (const resolve of this.whenIdle.splice(0)) resolve();
  }
}
