import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const FEED_SUBMISSIONS_TABLE = 'feed_submissions';

export type FeedPurpose = 'acknowledge' | 'cancel' | 'adjust' | 'listings';

/** A quantity a JSON_LISTINGS_FEED carries (recorded to mark exactly these versions pushed). */
export interface ListingsFeedItem {
  messageId: number;
  sku: string;
  version: number;
  quantity: number;
  sourceChangedAt: string | null;
}

/** A feed the adapter submitted and follows until Amazon finished processing it. */
@Entity({ name: FEED_SUBMISSIONS_TABLE })
@Index('feed_submissions_open', ['channelAccountId', 'purpose', 'completedAt'])
export class FeedSubmission {
  @PrimaryColumn({ name: 'feed_id', type: 'varchar', length: 64 })
  feedId!: string;

  @Column({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column({ name: 'feed_type', type: 'varchar', length: 64 })
  feedType!: string;

  @Column({ type: 'varchar', length: 16 })
  purpose!: FeedPurpose;

  @Column({ name: 'processing_status', type: 'varchar', length: 16 })
  processingStatus!: string;

  /** Listings feeds: what they carry. Order feeds: null (the actions point at the feed). */
  @Column(portableColumn.json({ name: 'listings_items', nullable: true }))
  listingsItems!: ListingsFeedItem[] | null;

  @Column(portableColumn.timestamp({ name: 'submitted_at' }))
  submittedAt!: Date;

  @Column(portableColumn.timestamp({ name: 'completed_at', nullable: true }))
  completedAt!: Date | null;
}
