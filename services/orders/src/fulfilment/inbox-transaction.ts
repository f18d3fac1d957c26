import { Injectable } from '@nestjs/common';
import { Inbox } from '@retail-mesh/messaging';
import { OutboxPublisher, type PublishInTransaction, type ReceivedEvent } from '@retail-mesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { OrdersMetrics, type CommittedChange } from '../orders.metrics.js';

/**
 * Applies an event at most once (the inbox row, the effect and the events it publishes commit
 * together, the events going out once it commits), then counts the changes. The consumers run it
 * themselves, outside the kit's inbox transaction, because some first call a peer (inventory)
 * and all count what they changed only once it is committed.
 */
@Injectable()
export class InboxTransaction {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly metrics: OrdersMetrics,
  ) {}

  async run(
    event: ReceivedEvent<unknown>,
    work: (manager: EntityManager, publish: PublishInTransaction) => Promise<readonly CommittedChange[]>,
  ): Promise<'processed' | 'duplicate'> {
    let committed: readonly CommittedChange[] = [];
    const outcome = await Inbox.handleOnce(this.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      committed = await work(manager, (...events) => this.publisher.add(manager, events));
    });
    this.metrics.changed(committed);
    return outcome;
  }
}
