import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ERP_STOCK_POSITION_TABLE = 'erp_stock_position';

/**
 * The ERP's on-hand per SKU x location as its change feed last reported it: what ListErpStock
 * answers and ResyncStock re-publishes, without loading the ERP.
 */
@Entity({ name: ERP_STOCK_POSITION_TABLE })
export class ErpStockPositionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 64 })
  locationId!: string;

  @Column(portableColumn.bigint({ name: 'on_hand' }))
  onHand!: number;

  /** Feed sequence of the change that set it. */
  @Column(portableColumn.bigint())
  version!: number;

  /** The feed id of that change (the StockChanged erp_change_id). */
  @Column({ name: 'erp_change_id', type: 'varchar', length: 32 })
  erpChangeId!: string;

  @Column(portableColumn.timestamp({ name: 'changed_at' }))
  changedAt!: Date;
}
