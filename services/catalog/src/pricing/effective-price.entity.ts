import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last effective price published (PriceChanged) per channel account x SKU: what the next
 * computation is compared with, and the version consumers order by.
 */
@Entity({ name: 'effective_prices' })
export class EffectivePriceEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ type: 'varchar', length: 50 })
  channel!: string;

  @Column(portableColumn.bigint({ name: 'amount_minor' }))
  amountMinor!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column(portableColumn.bigint({ name: 'compare_at_amount_minor', nullable: true }))
  compareAtAmountMinor!: number | null;

  @Column({ name: 'price_list_id', type: 'varchar', length: 64 })
  priceListId!: string;

  /** Empty when no promotion applies. */
  @Column({ name: 'promotion_id', type: 'varchar', length: 64 })
  promotionId!: string;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'computed_at' }))
  computedAt!: Date;
}
