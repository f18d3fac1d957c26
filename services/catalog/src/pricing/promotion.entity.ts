import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DiscountKind = 'percent_off' | 'amount_off' | 'fixed_price';

@Entity({ name: 'promotions' })
export class PromotionEntity {
  @PrimaryColumn({ name: 'promotion_id', type: 'varchar', length: 64 })
  promotionId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** catalogV1.PromotionStatus */
  @Column({ type: 'integer' })
  status!: number;

  /** Empty = every channel account. */
  @Column(portableColumn.json({ name: 'channel_account_ids' }))
  channelAccountIds!: string[];

  /** Empty = every SKU. */
  @Column(portableColumn.json())
  skus!: string[];

  @Column({ name: 'discount_kind', type: 'varchar', length: 20 })
  discountKind!: DiscountKind;

  /** percent_off only. */
  @Column({ name: 'discount_basis_points', type: 'integer', nullable: true })
  discountBasisPoints!: number | null;

  /** amount_off and fixed_price. */
  @Column(portableColumn.bigint({ name: 'discount_amount_minor', nullable: true }))
  discountAmountMinor!: number | null;

  @Column({ name: 'discount_currency', type: 'varchar', length: 3, nullable: true })
  discountCurrency!: string | null;

  @Column(portableColumn.timestamp({ name: 'starts_at' }))
  startsAt!: Date;

  @Column(portableColumn.timestamp({ name: 'ends_at', nullable: true }))
  endsAt!: Date | null;

  @Column({ type: 'integer' })
  priority!: number;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
