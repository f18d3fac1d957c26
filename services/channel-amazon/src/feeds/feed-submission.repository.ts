import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { FeedSubmission, type FeedPurpose, type ListingsFeedItem } from './feed-submission.entity.js';

/** Feeds the adapter submitted and follows until Amazon finished processing them. */
export class FeedSubmissionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    manager: EntityManager,
    submission: {
      feedId: string;
      channelAccountId: string;
      feedType: string;
      purpose: FeedPurpose;
      listingsItems: ListingsFeedItem[] | null;
    },
    now: Date,
  ): Promise<void> {
    await manager.insert(FeedSubmission, { ...submission, processingStatus: 'IN_QUEUE', submittedAt: now, completedAt: null });
  }

  /** Feeds of an account (and purposes) Amazon has not finished, oldest first. */
  async open(channelAccountId: string, purposes: readonly FeedPurpose[]): Promise<FeedSubmission[]> {
    const rows = await this.dataSource.getRepository(FeedSubmission).find({
      where: { channelAccountId, completedAt: IsNull() },
      order: { submittedAt: 'ASC' },
    });
    return rows.filter((row) => purposes.includes(row.purpose));
  }

  async setStatus(feedId: string, processingStatus: string): Promise<void> {
    await this.dataSource.getRepository(FeedSubmission).update({ feedId }, { processingStatus });
  }

  async complete(manager: EntityManager, feedId: string, processingStatus: string, now: Date): Promise<void> {
    await manager.update(FeedSubmission, { feedId }, { processingStatus, completedAt: now });
  }

  /** When the account last submitted a feed of this purpose (batching keeps createFeed within its budget). */
  async lastSubmittedAt(channelAccountId: string, purpose: FeedPurpose): Promise<Date | null> {
    const row = await this.dataSource
      .getRepository(FeedSubmission)
      .findOne({ where: { channelAccountId, purpose }, order: { submittedAt: 'DESC' } });
    return row?.submittedAt ?? null;
  }
}
