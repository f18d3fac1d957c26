// What the connector publishes, for its integration tests: the events of the types asked for, each
// stock change of the feed's batches, and a wait until the connector has read the ERP's change
// feed up to now (a marker stock change made last has been published).
import { Events, type EventDefinition, type erpEventsV1 } from '@retail-mesh/contracts';
import { decodeEvent, type EventBus } from '@retail-mesh/messaging';
import type { ErpSandbox } from '@retail-mesh/sandbox-erp';
import { waitFor } from '@retail-mesh/testing';

export class PublishedErpEvents {
  readonly stockChanges: erpEventsV1.StockChanged[] = [];
  private readonly received = new Map<EventDefinition<unknown>, unknown[]>();
  private markers = 0;

  private constructor(
    private readonly erp: ErpSandbox,
    private readonly markerSku: string,
  ) {}

  /** Binds a test queue to `definitions` and the stock change batches; `markerSku` needs stock in the sandbox. */
  static async listen(
    bus: EventBus,
    erp: ErpSandbox,
    definitions: readonly EventDefinition<unknown>[],
    markerSku: string,
  ): Promise<PublishedErpEvents> {
    const events = new PublishedErpEvents(erp, markerSku);
    const bound = [Events.erp.stockChangeBatch, ...definitions];
    await bus.consume(
      { queue: 'test.erp-events', bindings: bound.map((definition) => definition.binding), prefetch: 200 },
      async (delivery) => {
        const definition = bound.find((candidate) => candidate.routingKey === delivery.routingKey)!;
        const { payload } = decodeEvent(delivery, definition);
        if (definition === Events.erp.stockChangeBatch) events.stockChanges.push(...(payload as erpEventsV1.StockChangeBatch).changes);
        else events.listOf(definition).push(payload);
      },
    );
    return events;
  }

  of<T>(definition: EventDefinition<T>): T[] {
    return this.listOf(definition) as T[];
  }

  /** Waits until the connector has published a stock change made in the ERP after everything so far: the feed is read up to here. */
  async feedCaughtUp(): Promise<void> {
    this.markers += 1;
    const marker = this.erp.stock.setOnHand({ sku: this.markerSku, location: 'WH-EAST', onHand: this.markers });
    await waitFor(() => this.stockChanges.some((event) => event.erpChangeId === String(marker.id)), {
      description: 'the connector read the feed up to the marker',
    });
  }

  private listOf(definition: EventDefinition<unknown>): unknown[] {
    let list = this.received.get(definition);
    if (list === undefined) this.received.set(definition, (list = []));
    return list;
  }
}
