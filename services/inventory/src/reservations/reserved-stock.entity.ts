import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const RESERVED_STOCK_TABLE = 'reserved_stock';

/**
 * Units active reservations hold per SKU x location: the sum over reservation_line of quantity -
 * released - consumed, kept up to date by every write of those lines in the same transaction.
 * Reservations and availability read it by key: summing the lines cost a read of every open
 * order's line of the SKU, on every reservation and every availability computation.
 */
@Entity({ name: RESERVED_STOCK_TABLE })
export class ReservedStockEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 64 })
  locationId!: string;

  @Column(portableColumn.bigint())
  quantity!: number;
}
