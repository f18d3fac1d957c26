import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import { FeedCursorEntity } from './feed-cursor.entity.js';

export interface FeedCursor {
  /** The ERP cursor to read after. */
  afterCursor: string;
  /** Version of the last change published from the feed; 0 before the first. */
  lastVersion: number;
  lastChangeAt: Date | null;
}

export const FEED_START: FeedCursor = { afterCursor: '0', lastVersion: 0, lastChangeAt: null };

/** Another poller (a second replica) moved the cursor first: this one's page must not be published. */
export class FeedCursorConflictError extends Error {
  override readonly name = 'FeedCursorConflictError';
}

@Injectable()
export class FeedCursorRepository {
  async load(manager: EntityManager, feed: string): Promise<FeedCursor> {
    const entity = await manager.findOneBy(FeedCursorEntity, { feed });
    return entity === null
      ? FEED_START
      : { afterCursor: entity.afterCursor, lastVersion: entity.lastVersion, lastChangeAt: entity.lastChangeAt };
  }

  /** Moves the cursor from `from` to `to`, compare-and-set on `from`, in the caller's transaction. */
  async advance(manager: EntityManager, feed: string, from: FeedCursor, to: FeedCursor): Promise<void> {
    const row = { afterCursor: to.afterCursor, lastVersion: to.lastVersion, lastChangeAt: to.lastChangeAt, updatedAt: new Date() };
    const result = await manager
      .createQueryBuilder()
      .update(FeedCursorEntity)
      .set(row)
      .where('feed = :feed AND after_cursor = :afterCursor', { feed, afterCursor: from.afterCursor })
      .execute();
    if ((result.affected ?? 0) > 0) return;
    // No row matched: either this is the feed's first save, or someone else moved the cursor.
    const existing = await manager.findOneBy(FeedCursorEntity, { feed });
    if (existing !== null)
      throw new FeedCursorConflictError(
        `the ${feed} feed cursor moved to ${existing.afterCursor} while this poller read after ${from.afterCursor}`,
      );
    try {
      await manager.insert(FeedCursorEntity, { feed, ...row });
    } catch (error) {
      if (isUniqueViolation(error)) throw new FeedCursorConflictError(`the ${feed} feed cursor was created concurrently`);
      throw error;
    }
  }
}
