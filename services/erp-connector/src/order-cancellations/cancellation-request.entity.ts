import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Units of an ERP sales order line the connector asked the ERP to cancel for one
 * orders.order_cancelled event, and how many of them the ERP's change feed has reported back so
 * far: the feed's report of them is the mesh's own cancellation, not news (its echo).
 */
@Entity({ name: 'erp_cancellation_request' })
export class CancellationRequestEntity {
  /** The orders.order_cancelled event's id: a redelivery replaces its own rows, never adds to them. */
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @Index('erp_cancellation_request_erp_order_id')
  @PrimaryColumn({ name: 'erp_order_id', type: 'varchar', length: 64 })
  erpOrderId!: string;

  /** The sales order line number. */
  @PrimaryColumn({ name: 'erp_line', type: 'integer' })
  erpLine!: number;

  /** The mesh order line id the ERP line carries (matches feed lines without a line number). */
  @Column({ name: 'order_line_id', type: 'varchar', length: 64, nullable: true })
  orderLineId!: string | null;

  @Column(portableColumn.bigint({ name: 'requested_quantity' }))
  requestedQuantity!: number;

  @Column(portableColumn.bigint({ name: 'reported_quantity' }))
  reportedQuantity!: number;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;
}
