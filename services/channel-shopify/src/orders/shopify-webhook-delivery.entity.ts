import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SHOPIFY_WEBHOOK_DELIVERIES_TABLE = 'shopify_webhook_deliveries';

/** A webhook delivery already taken, by Shopify's X-Shopify-Webhook-Id: a retry or duplicate has no second effect. */
@Entity({ name: SHOPIFY_WEBHOOK_DELIVERIES_TABLE })
export class ShopifyWebhookDelivery {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ name: 'webhook_id', type: 'varchar', length: 100 })
  webhookId!: string;

  @Column({ type: 'varchar', length: 64 })
  topic!: string;

  @Column({ name: 'channel_order_id', type: 'varchar', length: 100 })
  channelOrderId!: string;

  /** X-Shopify-Event-Id: shared by the deliveries of one merchant action. */
  @Column({ name: 'event_id', type: 'varchar', length: 100, nullable: true })
  eventId!: string | null;

  @Column(portableColumn.timestamp({ name: 'received_at' }))
  receivedAt!: Date;
}
