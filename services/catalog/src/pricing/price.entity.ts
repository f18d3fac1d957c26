import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../common/database-columns.js';

/** The price of a SKU in a price list, in the list's currency (minor units). */
@Entity({ name: 'prices' })
export class PriceEntity {
  @PrimaryColumn({ name: 'price_list_id', type: 'varchar', length: 64 })
  priceListId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column(bigintColumn({ name: 'amount_minor' }))
  amountMinor!: number;

  /** Null = no "was" price. */
  @Column(bigintColumn({ name: 'compare_at_amount_minor', nullable: true }))
  compareAtAmountMinor!: number | null;

  @Column(bigintColumn())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
