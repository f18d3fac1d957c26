import { DesiredStateRow } from '@retail-mesh/channel-kit';
import { Entity, Index } from 'typeorm';

export const DESIRED_LISTINGS_TABLE = 'desired_listings';

/** The quantity the mesh wants Amazon to show per SKU of a channel account, and how far Amazon has got (channel-kit's DesiredStateRow). */
@Entity({ name: DESIRED_LISTINGS_TABLE })
@Index('desired_listings_pending', ['channelAccountId', 'pendingSince'])
export class DesiredListing extends DesiredStateRow {}
