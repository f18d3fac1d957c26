import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The price of a SKU in a price list, in the list's currency (minor units). */
@Entity({ name: 'prices' })
export class PriceEntity {
  @PrimaryColumn({ name: 'price_list_id', type: 'varchar', length: 64 })
  priceListId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column(portableColumn.bigint({ name: 'amount_minor' }))
  amountMinor!: number;

  /** Null = no "was" price. */
  @Column(portableColumn.bigint({ name: 'compare_at_amount_minor', nullable: true }))
  compareAtAmountMinor!: number | null;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
