import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** On-hand of a SKU at a location, as the ERP last reported it. */
export const STOCK_POSITION_TABLE = 'stock_position';

@Entity({ name: STOCK_POSITION_TABLE })
export class StockPositionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 64 })
  locationId!: string;

  /** May be negative: the ERP's figure, not a floor. */
  @Column(portableColumn.bigint({ name: 'on_hand' }))
  onHand!: number;

  /** ERP change-feed sequence of the applied change: older or equal versions are dropped. */
  @Column(portableColumn.bigint({ name: 'erp_version' }))
  erpVersion!: number;

  /** When the change happened in the ERP (availability push latency starts here). */
  @Column(portableColumn.timestamp({ name: 'erp_changed_at', nullable: true }))
  erpChangedAt!: Date | null;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
