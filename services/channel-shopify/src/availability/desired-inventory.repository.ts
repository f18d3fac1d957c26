import { DesiredStateStore } from '@retail-mesh/channel-kit';
import type { DataSource } from 'typeorm';
import { DesiredInventory } from './desired-inventory.entity.js';

/** The desired_inventory table: the durable, coalescing queue of availability pushes (channel-kit's store). */
export class DesiredInventoryRepository extends DesiredStateStore<DesiredInventory> {
  constructor(dataSource: DataSource) {
    // A push also records the quantity Shopify shows now: the next push's compare-and-set value.
    super(dataSource, { entity: DesiredInventory, channelQuantityProperty: 'shopifyQuantity', lastErrorAtProperty: 'lastErrorAt' });
  }
}
