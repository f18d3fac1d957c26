import { setImmediate as nextTurn } from 'node:timers/promises';

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs concurrent calls of a one-item database operation as batches: while a batch runs, the
 * calls that arrive wait, and the next batch takes all of them (up to `maxBatchSize`). Idle, a
 * call runs alone at the next turn of the event loop; under load, many calls share one
 * transaction. If a batch fails, each of its items runs alone, so an error lands on the call
 * that caused it.
 */
export class GroupCommit<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private running = false;

  constructor(
    private readonly maxBatchSize: number,
    /** One output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the calls that arrive in this turn join the first batch.
    await nextTurn();
    while (this.waiting.length > 0) await this.settle(this.waiting.splice(0, this.maxBatchSize));
    this.running = false;
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
