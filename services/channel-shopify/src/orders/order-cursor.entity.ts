import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SHOPIFY_ORDER_CURSORS_TABLE = 'shopify_order_cursors';

/**
 * The poll backstop's cursor per account (`updated_at_seen`, a name from when it was the newest
 * `updated_at` a poll saw): every order updated before it was listed by a complete settled pass at
 * least the settle time (SHOPIFY_ORDER_POLL_OVERLAP_MS) after its update, so an update Shopify made
 * visible late was caught. The next settled pass starts from it. It only moves forward.
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
