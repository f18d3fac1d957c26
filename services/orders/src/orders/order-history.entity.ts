import type { CancelReason, HoldReason, OrderState } from '@retail-mesh/domain';
import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OrderChangeName =
  'submitted' | 'validated' | 'reserved' | 'accepted' | 'acknowledged' | 'held' | 'released' | 'shipped' | 'cancelled';

/** The audit trail of an order: every change, who made it and why. Append-only. */
@Entity({ name: 'order_history' })
export class OrderHistoryEntity {
  /** node-postgres hands int8 over as a string, SQLite as a number; only used for ordering. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string | number;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  /** The order's version after the change. */
  @Column(portableColumn.bigint())
  version!: number;

  @Column({ name: 'from_state', type: 'varchar', length: 32, nullable: true })
  fromState!: OrderState | null;

  @Column({ name: 'to_state', type: 'varchar', length: 32 })
  toState!: OrderState;

  @Column({ type: 'varchar', length: 32 })
  change!: OrderChangeName;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ name: 'hold_reason', type: 'varchar', length: 32, nullable: true })
  holdReason!: HoldReason | null;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 32, nullable: true })
  cancelReason!: CancelReason | null;

  @Column({ type: 'text' })
  detail!: string;

  /** The ERP change applied (shipment, cancellation); unique per order, so a re-read change applies once. */
  @Column({ name: 'erp_change_id', type: 'varchar', length: 100, nullable: true })
  erpChangeId!: string | null;

  @Column(portableColumn.timestamp({ name: 'changed_at' }))
  changedAt!: Date;
}
