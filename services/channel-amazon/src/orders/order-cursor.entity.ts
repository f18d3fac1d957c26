import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ORDER_CURSORS_TABLE = 'order_cursors';

/**
 * Where order polling of an account stands (`last_updated_after`, a name from when the next poll
 * asked for the orders updated after it, less the overlap): every order updated before it was
 * listed by a complete settled pass at least the settle time (AMAZON_ORDER_POLL_OVERLAP_MS) after
 * its update, so an update Amazon listed late was caught. The next settled pass starts from it. It
 * only moves forward.
 */
@Entity({ name: ORDER_CURSORS_TABLE })
export class OrderCursor {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column(portableColumn.timestamp({ name: 'last_updated_after' }))
  lastUpdatedAfter!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
