import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LineOperation, LineQuantity } from './reservation.js';

/**
 * A release or consumption that changed a reservation (audit), keyed by the caller's id
 * (release_id, shipment_id) so that a repeat is recognised and has no second effect.
 */
@Entity({ name: 'reservation_operation' })
export class ReservationOperationEntity {
  @PrimaryColumn({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  operation!: LineOperation;

  /** The caller's id, or a generated one for a release without an id. */
  @PrimaryColumn({ name: 'operation_id', type: 'varchar', length: 128 })
  operationId!: string;

  /** As requested; empty = every unit still held. */
  @Column(portableColumn.json({ name: 'requested_lines' }))
  requestedLines!: LineQuantity[];

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;
}
