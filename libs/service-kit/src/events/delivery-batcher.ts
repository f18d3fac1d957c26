// Group commit for a consumer's deliveries: while a batch is being handled, the deliveries that
// arrive wait, and the next batch takes all of them (up to the maximum). Under light load a batch
// is a single delivery with no added delay; under a burst, batches grow by themselves. With
// `maxInFlight` above 1, a full batch waiting starts while the previous one is still committing
// (its database round trips overlap the other's work); only for handlers whose effects do not
// depend on the order of batches (per-key versions decide, not arrival).
import { setImmediate as nextTurn } from 'node:timers/promises';

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DeliveryBatcher<T> {
  private readonly waiting: Waiting<T>[] = [];
  private inFlight = 0;
  private starting = false;

  constructor(
    private readonly maxBatchSize: number,
    private readonly handle: (items: T[]) => Promise<void>,
    private readonly maxInFlight = 1,
  ) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }

  /** Resolves once `item` has been handled (alone or in a batch); rejects with its own error. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      void this.startBatches();
    });
  }

  /** Starts batches while there is room and something waits. */
  private async startBatches(): Promise<void> {
    if (this.starting || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.starting = true;
    // Let the deliveries already read from the socket join the batch.
    await nextTurn();
    this.starting = false;
    // A second batch starts only when a full one waits: under moderate load one batch at a time
    // grows larger (fewer transactions); under a burst, full batches overlap.
    while (this.inFlight < this.maxInFlight && this.waiting.length >= (this.inFlight === 0 ? 1 : this.maxBatchSize)) {
      this.inFlight += 1;
      void this.settle(this.waiting.splice(0, this.maxBatchSize)).finally(() => {
        this.inFlight -= 1;
        void this.startBatches();
      });
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
