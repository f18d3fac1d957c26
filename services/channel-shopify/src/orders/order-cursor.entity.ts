import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SHOPIFY_ORDER_CURSORS_TABLE = 'shopify_order_cursors';

/**
 * The poll backstop's cursor per account: the newest Shopify `updated_at` seen by a complete poll.
 * The next poll asks from a little before it (the overlap), so an update Shopify made visible late
 * is still caught. It only moves forward.
 */
@Entity({ name: SHOPIFY_ORDER_CURSORS_TABLE })
export class ShopifyOrderCursor {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column(portableColumn.timestamp({ name: 'updated_at_seen' }))
  updatedAtSeen!: Date;

  @Column(portableColumn.timestamp({ name: 'last_poll_at' }))
  lastPollAt!: Date;
}
