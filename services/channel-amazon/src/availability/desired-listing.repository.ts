import { DesiredStateStore } from '@retail-mesh/channel-kit';
import type { DataSource } from 'typeorm';
import { DesiredListing } from './desired-listing.entity.js';

/** The desired_listings table: the durable, coalescing queue of availability pushes (channel-kit's store). */
export class DesiredListingRepository extends DesiredStateStore<DesiredListing> {
  constructor(dataSource: DataSource) {
    super(dataSource, { entity: DesiredListing });
  }
}
