import { setImmediate as nextTurn } from 'node:timers/promises';

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs concurrent calls of a one-item operation as batches (group commit): while a batch runs, the
 * calls that arrive wait, and the next batch takes all of them (up to `maxBatchSize`). Idle, a call
 * runs alone at the next turn of the event loop; under load, many calls share one transaction (or
 * one API call that takes many items). If a batch fails, each of its items runs alone, so an error lands on the call that
 * caused it.
 *
 * With `maxInFlight` above 1, a full batch waiting starts while the previous one is still
 * committing (its database round trips overlap the other's work); under moderate load one batch
 * at a time grows larger instead. Only for operations whose effects do not depend on the order of
 * batches (per-key versions decide, not arrival).
 */
export class GroupCommit<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private inFlight = 0;
  private starting = false;
  /** Callers of `whenCaughtUp` waiting for every call to have run. */
  private readonly catchingUp = new Set<() => void>();

  constructor(
    private readonly maxBatchSize: number,
    /** One output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxInFlight = 1,
  ) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }

  /** Resolves with the call's own output once its batch ran (alone or with others); rejects with its own error. */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      // A full batch may start beside one in flight; otherwise the batch in flight starts the next.
      if (this.inFlight > 0) this.launch();
      else void this.startBatches();
    });
  }

  /**
   * For other work of the process that should give way to these calls when they arrive faster
   * than their batches run: resolves at once unless a full batch waits behind the batches in
   * flight; then once every call has run (nothing waits, nothing runs), or after `maxWaitMs`, so
   * that the other work is never starved.
   */
  whenCaughtUp(maxWaitMs: number): Promise<void> {
    if (!this.backlogged()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.catchingUp.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.catchingUp.add(done);
    });
  }

  private backlogged(): boolean {
    return this.waiting.length >= this.maxBatchSize;
  }

  /** From idle: lets the calls that arrive in this turn join the first batch. */
  private async startBatches(): Promise<void> {
    if (this.starting || this.inFlight > 0 || this.waiting.length === 0) return;
    this.starting = true;
    await nextTurn();
    this.starting = false;
    this.launch();
  }

  /** Starts batches while there is room and something waits; a batch that ends starts the next at once. */
  private launch(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length >= (this.inFlight === 0 ? 1 : this.maxBatchSize)) {
      this.inFlight += 1;
      void this.settle(this.waiting.splice(0, this.maxBatchSize)).finally(() => {
        this.inFlight -= 1;
        this.launch();
      });
    }
    if (this.inFlight === 0 && this.waiting.length === 0) for (const done of [...this.catchingUp]) done();
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const outputs = await this.run(batch.map((entry) => entry.input));
      batch.forEach((entry, index) => entry.resolve(outputs[index]!));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    for (const entry of batch) {
      try {
        const [output] = await this.run([entry.input]);
        entry.resolve(output!);
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
