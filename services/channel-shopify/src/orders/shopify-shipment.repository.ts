import type { DataSource, EntityManager } from 'typeorm';
import { ShopifyShipment } from './shopify-shipment.entity.js';

/** Shipments confirmed on Shopify, by mesh shipment id. */
export class ShopifyShipmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(channelAccountId: string, shipmentId: string): Promise<ShopifyShipment | null> {
    return this.dataSource.getRepository(ShopifyShipment).findOneBy({ channelAccountId, shipmentId });
  }

  /** Records the confirmation in the caller's transaction (a repeat keeps the first). */
  async record(manager: EntityManager, shipment: ShopifyShipment): Promise<void> {
    await manager.createQueryBuilder().insert().into(ShopifyShipment).values(shipment).orIgnore().execute();
  }
}
