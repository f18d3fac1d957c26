import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RequestedLine, ReservationStatus, Shortage } from './reservation.js';

/** Stock held for an order: one per idempotency key and one per order (unique indexes). */
@Entity({ name: 'reservation' })
export class ReservationEntity {
  @PrimaryColumn({ name: 'reservation_id', type: 'uuid' })
  reservationId!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 64 })
  orderId!: string;

  @Column({ name: 'channel_account_id', type: 'varchar', length: 64 })
  channelAccountId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  /** The request's lines as received (a repeat is compared with them; a rejected one is retried with them). */
  @Column(portableColumn.json({ name: 'requested_lines' }))
  requestedLines!: RequestedLine[];

  @Column({ name: 'requested_location_id', type: 'varchar', length: 64, nullable: true })
  requestedLocationId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: ReservationStatus;

  /** Why it was rejected; empty otherwise. */
  @Column(portableColumn.json())
  shortages!: Shortage[];

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
