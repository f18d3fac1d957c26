import type { LineQuantity } from '@retail-mesh/domain';
import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Units a cancellation gives back to inventory, written in the cancellation's transaction and
 * sent with ReleaseReservation after the commit; its id is the `release_id`, so sending it again
 * (a retry, a crash before `released_at` was written) releases nothing twice.
 */
@Entity({ name: 'reservation_releases' })
export class ReservationReleaseEntity {
  @PrimaryColumn({ name: 'release_id', type: 'uuid' })
  releaseId!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'reservation_id', type: 'varchar', length: 64 })
  reservationId!: string;

  @Column(portableColumn.json())
  lines!: LineQuantity[];

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  /** When to send it (again); null once inventory confirmed it. */
  @Column(portableColumn.timestamp({ name: 'due_at', nullable: true }))
  dueAt!: Date | null;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'released_at', nullable: true }))
  releasedAt!: Date | null;
}
