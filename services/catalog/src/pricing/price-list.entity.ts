import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'price_lists' })
export class PriceListEntity {
  @PrimaryColumn({ name: 'price_list_id', type: 'varchar', length: 64 })
  priceListId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** ISO 4217; every price in the list is in it. */
  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
