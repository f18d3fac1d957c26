import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const LINK_STATUSES = ['PENDING', 'CREATED', 'REJECTED'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/**
 * The link between a mesh order and its ERP sales order: one row per order (the primary key is
 * what keeps a second sales order from being attempted), its state, and the claim of the request
 * currently talking to the ERP for it.
 */
@Entity({ name: 'sales_order_link' })
export class SalesOrderLinkEntity {
  @PrimaryColumn({ name: 'order_id', type: 'varchar', length: 64 })
  orderId!: string;

  /** The key of the request that last worked on it; a REJECTED link is final for its key only. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  /** The sales order's external id in the ERP (fixed at the first attempt). */
  @Column({ name: 'external_id', type: 'varchar', length: 255 })
  externalId!: string;

  @Index('sales_order_link_erp_order_id')
  @Column({ name: 'erp_order_id', type: 'varchar', length: 64, nullable: true })
  erpOrderId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: LinkStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'last_error_code', type: 'varchar', length: 64, nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Set while a request talks to the ERP for this order; another request waits until it is done or expired. */
  @Column({ name: 'claim_token', type: 'varchar', length: 36, nullable: true })
  claimToken!: string | null;

  @Column(portableColumn.timestamp({ name: 'claimed_until', nullable: true }))
  claimedUntil!: Date | null;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
