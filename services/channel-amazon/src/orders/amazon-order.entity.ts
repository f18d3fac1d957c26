import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const AMAZON_ORDERS_TABLE = 'amazon_orders';

/**
 * An Amazon order the intake has read: its last seen LastUpdateDate and status (so the polling
 * overlap re-reads cost nothing), the mesh order id once SubmitOrder took it, whether the
 * cancellation Amazon reported has been passed on, and how many units Amazon shipped of an order
 * it fulfils the mesh has been told of.
 */
@Entity({ name: AMAZON_ORDERS_TABLE })
export class AmazonOrderEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ name: 'amazon_order_id', type: 'varchar', length: 32 })
  amazonOrderId!: string;

  /** Amazon's LastUpdateDate as sent (compared as a string: Amazon's own format). */
  @Column({ name: 'last_update_date', type: 'varchar', length: 40 })
  lastUpdateDate!: string;

  @Column({ name: 'order_status', type: 'varchar', length: 32 })
  orderStatus!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 64, nullable: true })
  orderId!: string | null;

  @Column(portableColumn.timestamp({ name: 'submitted_at', nullable: true }))
  submittedAt!: Date | null;

  @Column(portableColumn.timestamp({ name: 'cancel_submitted_at', nullable: true }))
  cancelSubmittedAt!: Date | null;

  /** Units Amazon showed shipped of an order it fulfils (AFN) that the mesh has been told of. */
  @Column({ name: 'shipped_units_reported', type: 'integer', default: 0 })
  shippedUnitsReported!: number;

  /** Why the order could not be submitted (mapping), or null. */
  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
