import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const SHOPIFY_ORDERS_TABLE = 'shopify_orders';

/**
 * The adapter's intake record of one Shopify order: its latest REST JSON (from a webhook or the
 * poll, whichever was newer) and how far the mesh has got with it. One row per (account, order),
 * so webhook retries, duplicates and the poll all land on the same row: intake is deduplicated
 * before anything is submitted. Work is due while the order is not submitted, or cancelled on
 * Shopify and the cancellation not yet passed on; a refused payload waits for a newer one.
 */
@Entity({ name: SHOPIFY_ORDERS_TABLE })
@Index('shopify_orders_work', ['nextAttemptAt'], {
  where: 'rejected_reason IS NULL AND (submitted_at IS NULL OR (shopify_cancelled_at IS NOT NULL AND cancel_submitted_at IS NULL))',
})
export class ShopifyOrderRecord {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  /** `gid://shopify/Order/<id>`. */
  @PrimaryColumn({ name: 'channel_order_id', type: 'varchar', length: 100 })
  channelOrderId!: string;

  @Column({ name: 'order_name', type: 'varchar', length: 100 })
  orderName!: string;

  /** The order's REST JSON as received. */
  @Column({ type: 'text' })
  payload!: string;

  /** Shopify's `updated_at` of the payload: only a newer payload replaces it. */
  @Column(portableColumn.timestamp({ name: 'shopify_updated_at' }))
  shopifyUpdatedAt!: Date;

  @Column(portableColumn.timestamp({ name: 'shopify_cancelled_at', nullable: true }))
  shopifyCancelledAt!: Date | null;

  /** How the payload arrived: webhook, poll or sync. */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column(portableColumn.timestamp({ name: 'first_seen_at' }))
  firstSeenAt!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;

  /** The mesh order id SubmitOrder answered. */
  @Column({ name: 'order_id', type: 'varchar', length: 100, nullable: true })
  orderId!: string | null;

  @Column(portableColumn.timestamp({ name: 'submitted_at', nullable: true }))
  submittedAt!: Date | null;

  @Column(portableColumn.timestamp({ name: 'cancel_submitted_at', nullable: true }))
  cancelSubmittedAt!: Date | null;

  /** Failed attempts since the last success or the last new payload. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column(portableColumn.timestamp({ name: 'next_attempt_at' }))
  nextAttemptAt!: Date;

  /** Why the current payload can never be submitted (a newer payload clears it). */
  @Column({ name: 'rejected_reason', type: 'varchar', length: 1000, nullable: true })
  rejectedReason!: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  /** The replica processing the row, until `claim_expires_at`. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 100, nullable: true })
  claimedBy!: string | null;

  @Column(portableColumn.timestamp({ name: 'claim_expires_at', nullable: true }))
  claimExpiresAt!: Date | null;
}
