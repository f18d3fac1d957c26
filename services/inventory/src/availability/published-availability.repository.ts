import { status as GrpcStatus } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { EntityColumns, inChunks, SqlParameters } from '@retail-mesh/persistence';
import { ServiceError } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { PUBLISHED_AVAILABILITY_TABLE, PublishedAvailabilityEntity } from './published-availability.entity.js';

// Seven parameters a row: keeps each statement well under both databases' bound-parameter limits.
const ROWS_PER_STATEMENT = 500;
// Keeps each IN (...) list well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;

/** The quantity and version last published for a channel account x SKU. */
export interface PublishedKey {
  channelAccountId: string;
  sku: string;
  availableQuantity: number;
  version: number;
}

/** Another publisher (a replica) published the same key first; the transaction must be retried. */
export class AvailabilityVersionConflictError extends ServiceError {
  override readonly name = 'AvailabilityVersionConflictError';
  readonly code = GrpcStatus.ABORTED;

  constructor(message: string) {
    super('availability_published_concurrently', message);
  }
}

@Injectable()
export class PublishedAvailabilityRepository {
  /** What was last published for `skus`, every channel account (read by hand: the publisher's hot read). */
  async findBySkus(manager: EntityManager, skus: readonly string[]): Promise<PublishedKey[]> {
    return inChunks(skus, SKUS_PER_QUERY, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const rows: Array<{ channel_account_id: string; sku: string; available_quantity: string | number; version: string | number }> =
        await manager.query(
          `SELECT channel_account_id, sku, available_quantity, version FROM ${PUBLISHED_AVAILABILITY_TABLE}
           WHERE sku ${parameters.inList(chunk)}`,
          parameters.values,
        );
      return rows.map((row) => ({
        channelAccountId: row.channel_account_id,
        sku: row.sku,
        availableQuantity: Number(row.available_quantity),
        version: Number(row.version),
      }));
    });
  }

  async find(manager: EntityManager, channelAccountId: string, sku: string): Promise<PublishedAvailabilityEntity | undefined> {
    return (await manager.findOneBy(PublishedAvailabilityEntity, { channelAccountId, sku })) ?? undefined;
  }

  /** One page of a channel account's rows in SKU order, starting after `afterSku`. */
  list(
    manager: EntityManager,
    channelAccountId: string,
    skus: string[],
    afterSku: string | undefined,
    limit: number,
  ): Promise<PublishedAvailabilityEntity[]> {
    const query = manager
      .createQueryBuilder(PublishedAvailabilityEntity, 'published')
      .where('published.channelAccountId = :channelAccountId', { channelAccountId })
      .orderBy('published.sku', 'ASC')
      .limit(limit);
    if (skus.length > 0) query.andWhere('published.sku IN (:...skus)', { skus });
    if (afterSku !== undefined) query.andWhere('published.sku > :afterSku', { afterSku });
    return query.getMany();
  }

  async skusOf(manager: EntityManager, channelAccountId: string): Promise<string[]> {
    const rows = await manager.find(PublishedAvailabilityEntity, { select: { sku: true }, where: { channelAccountId } });
    return rows.map((row) => row.sku);
  }

  /**
   * Records the rows as published, each compare-and-set on the version before it (a row's version
   * is the next one after what the caller read, 1 for the first publication of its key): one
   * multi-row `INSERT … ON CONFLICT DO UPDATE … WHERE version = excluded.version - 1` per 500
   * rows. When a replica published one of the keys first, throws AvailabilityVersionConflictError
   * and the caller's transaction rolls back. At most one row per key.
   */
  async saveMany(manager: EntityManager, rows: readonly PublishedAvailabilityEntity[]): Promise<void> {
    const columns = EntityColumns.of(manager.connection, PublishedAvailabilityEntity, [
      'channelAccountId',
      'sku',
      'channel',
      'availableQuantity',
      'version',
      'computedAt',
      'sourceChangedAt',
    ]);
    await inChunks(rows, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((row) => [
          row.channelAccountId,
          row.sku,
          row.channel,
          row.availableQuantity,
          row.version,
          row.computedAt,
          row.sourceChangedAt,
        ]),
      );
      const sql = `
        INSERT INTO ${PUBLISHED_AVAILABILITY_TABLE} (${columns.names})
        ${source}
        ON CONFLICT (channel_account_id, sku) DO UPDATE SET
          channel = excluded.channel,
          available_quantity = excluded.available_quantity,
          version = excluded.version,
          computed_at = excluded.computed_at,
          source_changed_at = excluded.source_changed_at
        WHERE ${PUBLISHED_AVAILABILITY_TABLE}.version = excluded.version - 1
        RETURNING sku`;
      const saved: unknown[] = await manager.query(sql, parameters.values);
      if (saved.length < chunk.length) {
        throw new AvailabilityVersionConflictError(`${chunk.length - saved.length} of ${chunk.length} keys were published concurrently`);
      }
    });
  }
}
