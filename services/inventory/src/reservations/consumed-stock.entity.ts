import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CONSUMED_STOCK_TABLE = 'consumed_stock';

/**
 * Units of a SKU shipped from a location (reservations consumed) at an ERP change-feed version:
 * the shipment's own, or the position's when the shipment's is unknown. The ERP lowers on hand
 * with a later stock change, so these units count against availability and reservations while
 * the position's version is not above `erpVersion` (ADR 0005). One row per version: shipments at
 * different versions end at different stock changes.
 */
@Entity({ name: CONSUMED_STOCK_TABLE })
export class ConsumedStockEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 64 })
  locationId!: string;

  // A key column is never null (PrimaryColumn's options say so by type).
  @PrimaryColumn({ ...portableColumn.bigint({ name: 'erp_version' }), nullable: false })
  erpVersion!: number;

  @Column(portableColumn.bigint())
  quantity!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
