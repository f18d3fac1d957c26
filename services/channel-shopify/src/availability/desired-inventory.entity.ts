import { DesiredStateRow } from '@retail-mesh/channel-kit';
import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index } from 'typeorm';

export const DESIRED_INVENTORY_TABLE = 'desired_inventory';

/**
 * The quantity the mesh wants Shopify to show per SKU of a channel account, and how far Shopify
 * has got (channel-kit's DesiredStateRow), plus what Shopify showed last and when it last refused.
 */
@Entity({ name: DESIRED_INVENTORY_TABLE })
@Index('desired_inventory_pending', ['channelAccountId', 'pendingSince'])
export class DesiredInventory extends DesiredStateRow {
  /** The `available` quantity last seen on Shopify: the next push's compare-and-set value. */
  @Column({ name: 'shopify_quantity', type: 'integer', nullable: true })
  shopifyQuantity!: number | null;

  @Column(portableColumn.timestamp({ name: 'last_error_at', nullable: true }))
  lastErrorAt!: Date | null;
}
