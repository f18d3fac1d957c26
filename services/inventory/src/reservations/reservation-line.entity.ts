import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Units of an order line held at one location. quantity - released - consumed is what it still
 * holds: that counts against every channel's availability of the SKU at the location.
 */
@Entity({ name: 'reservation_line' })
export class ReservationLineEntity {
  @PrimaryColumn({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @PrimaryColumn({ name: 'line_id', type: 'varchar', length: 64 })
  lineId!: string;

  @PrimaryColumn({ name: 'location_id', type: 'varchar', length: 64 })
  locationId!: string;

  @Column({ type: 'varchar', length: 64 })
  sku!: string;

  @Column(portableColumn.bigint())
  quantity!: number;

  @Column(portableColumn.bigint({ name: 'released_quantity' }))
  releasedQuantity!: number;

  @Column(portableColumn.bigint({ name: 'consumed_quantity' }))
  consumedQuantity!: number;
}
