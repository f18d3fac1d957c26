import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MessageJson } from './order.entity.js';

/** One line of an order; amounts in minor units of the order's currency. */
@Entity({ name: 'order_lines' })
export class OrderLineEntity {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @PrimaryColumn({ name: 'line_id', type: 'varchar', length: 64 })
  lineId!: string;

  /** The line's place in the order as submitted. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ name: 'channel_line_id', type: 'varchar', length: 255 })
  channelLineId!: string;

  @Column({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column(portableColumn.bigint())
  quantity!: number;

  @Column(portableColumn.bigint({ name: 'unit_price_minor' }))
  unitPriceMinor!: number;

  /** ordersV1.Discount.toJSON of each. */
  @Column(portableColumn.json())
  discounts!: MessageJson[];

  /** ordersV1.TaxLine.toJSON of each. */
  @Column(portableColumn.json())
  taxes!: MessageJson[];

  @Column(portableColumn.bigint({ name: 'shipped_quantity' }))
  shippedQuantity!: number;

  @Column(portableColumn.bigint({ name: 'cancelled_quantity' }))
  cancelledQuantity!: number;

  /** Where inventory reserved the line (the location holding most of it when split). */
  @Column({ name: 'location_id', type: 'varchar', length: 64, nullable: true })
  locationId!: string | null;
}
