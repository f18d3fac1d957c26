// Group commit for a consumer's deliveries: while one batch is being handled, the deliveries
// that arrive wait, and the next batch takes all of them (up to the maximum). Under light load a
// batch is a single delivery with no added delay; under a burst, batches grow by themselves.
import { setImmediate as nextTurn } from 'node:timers/promises';

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DeliveryBatcher<T> {
  private readonly waiting: Waiting<T>[] = [];
  private running = false;

  constructor(
    private readonly maxBatchSize: number,
    private readonly handle: (items: T[]) => Promise<void>,
  ) {}

  /** Resolves once `item` has been handled (alone or in a batch); rejects with its own error. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      // Let the deliveries already read from the socket join the first batch.
      await nextTurn();
      while (this.waiting.length > 0) await this.settle(this.waiting.splice(0, this.maxBatchSize));
    } finally {
      this.running = false;
    }
  }

  /** Handles a batch; if it fails, handles each item alone so the error lands on the item that caused it. */
  private async settle(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.handle(batch.map((entry) => entry.item));
      for (const entry of batch) entry.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    for (const entry of batch) {
      try {
        await this.handle([entry.item]);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
