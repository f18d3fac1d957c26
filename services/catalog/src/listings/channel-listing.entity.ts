import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which listing a SKU is on a channel account, with the channel's own ids for it. */
@Entity({ name: 'channel_listings' })
export class ChannelListingEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ type: 'varchar', length: 50 })
  channel!: string;

  @Column({ name: 'external_product_id', type: 'varchar', length: 255 })
  externalProductId!: string;

  @Column({ name: 'external_variant_id', type: 'varchar', length: 255 })
  externalVariantId!: string;

  /** e.g. gid://shopify/InventoryItem/1 */
  @Column({ name: 'external_inventory_item_id', type: 'varchar', length: 255 })
  externalInventoryItemId!: string;

  /** e.g. gid://shopify/Location/1 */
  @Column({ name: 'external_location_id', type: 'varchar', length: 255 })
  externalLocationId!: string;

  /** catalogV1.ListingStatus */
  @Column({ type: 'integer' })
  status!: number;

  @Column({ name: 'status_detail', type: 'text' })
  statusDetail!: string;

  @Column(portableColumn.json({ name: 'external_attributes' }))
  externalAttributes!: Record<string, string>;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
