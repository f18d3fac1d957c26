// What a channel adapter would receive, for inventory's integration tests: every availability
// change inventory publishes, one by one, with the envelope and routing key of the batch event
// that carried it (ADR 0008).
import { Events, type commonV1, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { decodeEvent, type EventBus } from '@retail-mesh/messaging';

export interface ReceivedAvailabilityChange {
  payload: inventoryEventsV1.AvailabilityChanged;
  envelope: commonV1.EventEnvelope;
  routingKey: string;
}

/** Binds `queue` to every channel's availability batches and hands each change to `onChange`. */
export async function listenToAvailabilityChanges(
  bus: EventBus,
  queue: string,
  onChange: (change: ReceivedAvailabilityChange) => void,
): Promise<void> {
  await bus.consume({ queue, bindings: [Events.inventory.availabilityChangedBatch.binding], prefetch: 200 }, async (delivery) => {
    const { envelope, payload } = decodeEvent(delivery, Events.inventory.availabilityChangedBatch);
    for (const change of payload.changes) onChange({ payload: change, envelope, routingKey: delivery.routingKey });
  });
}
