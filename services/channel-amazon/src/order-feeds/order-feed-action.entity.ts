import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AdjustItem } from './payment-adjustment.js';

export const ORDER_FEED_ACTIONS_TABLE = 'order_feed_actions';

export type OrderFeedActionKind = 'acknowledge' | 'cancel' | 'adjust';
export type OrderFeedActionState = 'pending' | 'submitted' | 'done' | 'failed';

export interface CancelItem {
  orderItemId: string;
  /** Amazon's cancellation reason code, e.g. NoInventory. */
  reason: string;
}

/**
 * An acknowledgement, seller cancellation (whole items) or order adjustment (units of an item that
 * keeps units to ship) waiting for, or carried by, an order feed. Feeds are rate-limited hard
 * (createFeed: one every two minutes after a burst of 15), so actions are queued here and batched
 * into one feed per kind.
 */
@Entity({ name: ORDER_FEED_ACTIONS_TABLE })
@Index('order_feed_actions_dedupe', ['channelAccountId', 'kind', 'dedupeKey'], { unique: true })
@Index('order_feed_actions_state', ['channelAccountId', 'state'])
export class OrderFeedAction {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: OrderFeedActionKind;

  /**
   * One acknowledgement per order; one cancellation per order and set of items; one adjustment per
   * order and cancelled-in-all figures of its items (an event) or per CancelOrder idempotency key.
   */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 255 })
  dedupeKey!: string;

  @Column({ name: 'amazon_order_id', type: 'varchar', length: 32 })
  amazonOrderId!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 64 })
  orderId!: string;

  /** Sent as MerchantOrderID with an acknowledgement. */
  @Column({ name: 'erp_order_id', type: 'varchar', length: 64 })
  erpOrderId!: string;

  @Column(portableColumn.json({ name: 'cancel_items', nullable: true }))
  cancelItems!: CancelItem[] | null;

  /** An adjustment's items: the units cancelled and the amounts refunded, fixed when it was queued. */
  @Column(portableColumn.json({ name: 'adjust_items', nullable: true }))
  adjustItems!: AdjustItem[] | null;

  @Column({ type: 'varchar', length: 16 })
  state!: OrderFeedActionState;

  @Column({ name: 'feed_id', type: 'varchar', length: 64, nullable: true })
  feedId!: string | null;

  /** Its message ids (XML) or record numbers (flat file) in that feed, to read the processing report. */
  @Column(portableColumn.json({ name: 'feed_records', nullable: true }))
  feedRecords!: number[] | null;

  /** Feeds that carried it and ended without a verdict (FATAL). */
  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
