import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SHOPIFY_SHIPMENTS_TABLE = 'shopify_shipments';

/** A shipment confirmed on Shopify and the fulfilments it became: a repeat is answered from here. */
@Entity({ name: SHOPIFY_SHIPMENTS_TABLE })
export class ShopifyShipment {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ name: 'shipment_id', type: 'varchar', length: 100 })
  shipmentId!: string;

  @Column({ name: 'channel_order_id', type: 'varchar', length: 100 })
  channelOrderId!: string;

  /** Fulfillment gids, comma-separated (one per location the shipment spanned). */
  @Column({ name: 'fulfillment_ids', type: 'varchar', length: 1000 })
  fulfillmentIds!: string;

  @Column(portableColumn.timestamp({ name: 'confirmed_at' }))
  confirmedAt!: Date;
}
