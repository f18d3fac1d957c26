// Helpers for the outbox and inbox tests (both tiers, both databases).
import { randomUUID } from 'node:crypto';
import type { BusMessage, Delivery, EventBus } from '../event-bus.js';
import { InProcessEventBus } from '../in-process/in-process-bus.js';

export function outboxTestMessage(label: string): BusMessage {
  return {
    id: randomUUID(),
    routingKey: `outbox_test.event_happened.${label}`,
    body: Buffer.from(`body of ${label}`),
    headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, 'x-label': label },
  };
}

/** Consumes every outbox test event into an array, one at a time so arrival order is publish order. */
export async function collectDeliveries(bus: EventBus, queue: string): Promise<Delivery[]> {
  const received: Delivery[] = [];
  await bus.consume({ queue, bindings: ['outbox_test.#'], prefetch: 1 }, async (delivery) => {
    received.push(delivery);
  });
  return received;
}

/** The in-process bus with its first `failures` publish calls failing, as a broker outage would. */
export class InProcessBusFailingFirst extends InProcessEventBus {
  constructor(private failuresLeft: number) {
    super();
  }

  override async publish(messages: BusMessage[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('broker unavailable (injected)');
    }
    return super.publish(messages);
  }
}
