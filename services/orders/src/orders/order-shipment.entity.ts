import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MessageJson } from './order.entity.js';

/**
 * A shipment of (part of) an order: from the ERP, or made by the channel itself (Amazon AFN), whose
 * `erp_shipment_id` is then `channel:<report id>` (unique per order either way).
 */
@Entity({ name: 'order_shipments' })
export class OrderShipmentEntity {
  @PrimaryColumn({ name: 'shipment_id', type: 'varchar', length: 100 })
  shipmentId!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  /** Unique per order. */
  @Column({ name: 'erp_shipment_id', type: 'varchar', length: 100 })
  erpShipmentId!: string;

  /** ordersV1.Shipment.toJSON. */
  @Column(portableColumn.json())
  details!: MessageJson;

  @Column(portableColumn.timestamp({ name: 'shipped_at' }))
  shippedAt!: Date;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;
}
