import { isNewerVersion } from '@retail-mesh/domain';

// Channels only need the latest desired value per key (quantity per SKU x location): when ten
// stock changes arrive while a push is in flight, one push of the newest value is enough. The
// coalescer holds at most one pending value per key and never hands out a key that is already
// in flight, so two pushes for one key cannot race each other at the channel.

export interface CoalescedUpdate<K, V> {
  key: K;
  version: number;
  value: V;
}

/** Keys are compared like Map keys: use primitives (e.g. `${sku}|${locationId}`), not fresh objects. */
export class LatestValueCoalescer<K, V> {
  private readonly pending = new Map<K, CoalescedUpdate<K, V>>();
  private readonly inFlight = new Map<K, CoalescedUpdate<K, V>>();
  private readonly sent = new Map<K, number>();

  /**
   * Queues `value` unless a value with the same or a higher version is already pending, in
   * flight or sent; a newer version replaces the pending one in place. Returns false when dropped.
   */
  offer(key: K, version: number, value: V): boolean {
    const known = [this.sent.get(key), this.pending.get(key)?.version, this.inFlight.get(key)?.version].filter((v) => v !== undefined);
    if (!isNewerVersion(version, known.length > 0 ? Math.max(...known) : undefined)) return false;
    this.pending.set(key, { key, version, value });
    return true;
  }

  /** Hands out up to `limit` pending updates, oldest key first, skipping keys still in flight; they stay in flight until `done` or `failed`. */
  take(limit: number = Infinity): CoalescedUpdate<K, V>[] {
    const batch: CoalescedUpdate<K, V>[] = [];
    for (const [key, update] of this.pending) {
      if (batch.length >= limit) break;
      if (this.inFlight.has(key)) continue;
      this.pending.delete(key);
      this.inFlight.set(key, update);
      batch.push(update);
    }
    return batch;
  }

  /** Records that `version` of `key` reached the channel; older offers are dropped from now on. */
  done(key: K, version: number): void {
    if (this.inFlight.get(key)?.version === version) this.inFlight.delete(key);
    const sent = this.sent.get(key);
    if (sent === undefined || version > sent) this.sent.set(key, version);
  }

  /** Returns a taken update to the queue after a failed push, unless a newer value is already pending. */
  failed(update: CoalescedUpdate<K, V>): void {
    if (this.inFlight.get(update.key)?.version === update.version) this.inFlight.delete(update.key);
    if (!this.pending.has(update.key)) this.offer(update.key, update.version, update.value);
  }

  lastSentVersion(key: K): number | undefined {
    return this.sent.get(key);
  }

  /** Keys with a value waiting to be taken. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }
}
