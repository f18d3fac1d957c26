import type { CancelReason, HoldReason, OrderState, PaymentStatus } from '@retail-mesh/domain';
import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A contract message as its JSON (`ordersV1.Shipping.toJSON(...)`), stored in a json column. */
export type MessageJson = { [key: string]: string | number | boolean | null | object };

/**
 * The parts of a canonical order the service never queries, as the contract's JSON: enum names,
 * not numbers, so stored orders read the same whatever the generated code.
 */
export interface OrderDetails {
  shipping?: MessageJson;
  shippingAddress?: MessageJson;
  billingAddress?: MessageJson;
  customer?: MessageJson;
  fraudSignals: MessageJson[];
  totals?: MessageJson;
}

/**
 * A canonical order and its place in the flow. The table is also the worker's durable queue:
 * `work_due_at` is set while the order is RECEIVED, VALIDATED or RESERVED (when the worker
 * should look at it next), `claim_token` and `claimed_until` mark the pass working on it.
 */
@Entity({ name: 'orders' })
export class OrderEntity {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column({ type: 'varchar', length: 50 })
  channel!: string;

  /** Unique with channel_account_id: a repeat of SubmitOrder finds the first row. */
  @Column({ name: 'channel_order_id', type: 'varchar', length: 255 })
  channelOrderId!: string;

  @Column({ name: 'channel_order_number', type: 'varchar', length: 100 })
  channelOrderNumber!: string;

  /** SubmitOrder's key ("<channel_account_id>/<channel_order_id>" when none was given); unique. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 400 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 32 })
  state!: OrderState;

  @Column({ name: 'hold_reason', type: 'varchar', length: 32, nullable: true })
  holdReason!: HoldReason | null;

  @Column({ name: 'hold_detail', type: 'text' })
  holdDetail!: string;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 32, nullable: true })
  cancelReason!: CancelReason | null;

  /** Hold reasons operators released (validation skips them). */
  @Column(portableColumn.json({ name: 'waived_hold_reasons' }))
  waivedHoldReasons!: HoldReason[];

  @Column({ name: 'payment_status', type: 'varchar', length: 32 })
  paymentStatus!: PaymentStatus;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'taxes_included', type: 'boolean' })
  taxesIncluded!: boolean;

  /** The channel fulfils it (Amazon FBA): no address needed, no stock reserved, no ERP shipment expected. */
  @Column({ name: 'fulfilled_by_channel', type: 'boolean' })
  fulfilledByChannel!: boolean;

  @Column({ name: 'requested_location_id', type: 'varchar', length: 64 })
  requestedLocationId!: string;

  @Column({ name: 'purchase_order_number', type: 'varchar', length: 100 })
  purchaseOrderNumber!: string;

  @Column(portableColumn.timestamp({ name: 'placed_at' }))
  placedAt!: Date;

  @Column(portableColumn.json())
  details!: OrderDetails;

  @Column({ name: 'erp_order_id', type: 'varchar', length: 100, nullable: true })
  erpOrderId!: string | null;

  /** Counts the operator releases of ERP_REJECTED holds: each asks the ERP again under a new key. */
  @Column({ name: 'erp_attempt', type: 'integer' })
  erpAttempt!: number;

  @Column({ name: 'reservation_id', type: 'varchar', length: 64, nullable: true })
  reservationId!: string | null;

  /** Incremented by every change (the `version` of the published order). */
  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;

  @Column(portableColumn.timestamp({ name: 'accepted_at', nullable: true }))
  acceptedAt!: Date | null;

  /** When the worker should next look at the order; null outside RECEIVED, VALIDATED and RESERVED. */
  @Column(portableColumn.timestamp({ name: 'work_due_at', nullable: true }))
  workDueAt!: Date | null;

  /** Failed attempts of the current step (the retry backoff grows with it). */
  @Column({ name: 'work_attempts', type: 'integer' })
  workAttempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The worker pass holding the order; set until the pass ends, even after a crash (see claimedUntil). */
  @Column({ name: 'claim_token', type: 'varchar', length: 64, nullable: true })
  claimToken!: string | null;

  /** Past this time another pass may take the order over. */
  @Column(portableColumn.timestamp({ name: 'claimed_until', nullable: true }))
  claimedUntil!: Date | null;
}
