// Acknowledges a consumer channel's deliveries in as few frames as it can. Each ack is a
// command the broker appends to the quorum queue's log, so one `multiple` ack for a run of
// settled deliveries costs the broker about what one single ack does. Nothing waits longer
// than the current turn of the event loop: deliveries settled out of order (a slow handler
// ahead of them) are acknowledged one by one instead of waiting for the slow one.
import type { Channel, Message } from 'amqplib';

export class AckBatcher {
  /** Deliveries received and not yet acknowledged or returned, by delivery tag (ascending: tags only grow on a channel). */
  private readonly outstanding = new Map<number, { message: Message; settled: boolean }>();
  private flushScheduled = false;

  constructor(private readonly channel: Channel) {}

  received(message: Message): void {
    this.outstanding.set(message.fields.deliveryTag, { message, settled: false });
  }

  /** The delivery is done with: it is acknowledged at the end of this turn of the event loop. */
  ack(message: Message): void {
    const entry = this.outstanding.get(message.fields.deliveryTag);
    if (entry === undefined) return;
    entry.settled = true;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Returns the delivery to the queue now (it must never be covered by a later `multiple` ack). */
  nack(message: Message): void {
    this.outstanding.delete(message.fields.deliveryTag);
    this.channel.nack(message, false, true);
  }

  /** Sends the acknowledgements due now (called at the end of the turn, and before the channel closes). */
  flush(): void {
    this.flushScheduled = false;
    // The settled run at the head: one ack with `multiple` covers every tag up to its last.
    let lastOfRun: Message | undefined;
    for (const [tag, entry] of this.outstanding) {
      if (!entry.settled) break;
      lastOfRun = entry.message;
      this.outstanding.delete(tag);
    }
    try {
      if (lastOfRun !== undefined) this.channel.ack(lastOfRun, true);
      for (const [tag, entry] of this.outstanding) {
        if (!entry.settled) continue;
        this.channel.ack(entry.message);
        this.outstanding.delete(tag);
      }
    } catch {
      // The channel closed: the broker returns every unacknowledged delivery itself.
      this.outstanding.clear();
    }
  }
}
