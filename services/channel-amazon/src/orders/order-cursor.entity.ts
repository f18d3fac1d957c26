import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ORDER_CURSORS_TABLE = 'order_cursors';

/** Where order polling of an account stands: the next poll asks for orders updated after this (minus the overlap). */
@Entity({ name: ORDER_CURSORS_TABLE })
export class OrderCursor {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column(portableColumn.timestamp({ name: 'last_updated_after' }))
  lastUpdatedAfter!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
