import { status as GrpcStatus } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@retail-mesh/persistence';
import { ServiceError } from '@retail-mesh/service-kit';
import { In, type EntityManager } from 'typeorm';
import { PublishedAvailabilityEntity } from './published-availability.entity.js';

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
  findBySkus(manager: EntityManager, skus: string[]): Promise<PublishedAvailabilityEntity[]> {
    if (skus.length === 0) return Promise.resolve([]);
    return manager.find(PublishedAvailabilityEntity, { where: { sku: In(skus) } });
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
   * Records `next` as published, compare-and-set on the version the caller computed from
   * (`previousVersion`, undefined for the first publication of the key).
   */
  async save(manager: EntityManager, next: PublishedAvailabilityEntity, previousVersion: number | undefined): Promise<void> {
    if (previousVersion === undefined) {
      try {
        await manager.insert(PublishedAvailabilityEntity, next);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AvailabilityVersionConflictError(`${next.channelAccountId}/${next.sku} was first published concurrently`);
        throw error;
      }
      return;
    }
    const { channelAccountId, sku, ...changes } = next;
    const result = await manager
      .createQueryBuilder()
      .update(PublishedAvailabilityEntity)
      .set(changes)
      .where('channel_account_id = :channelAccountId AND sku = :sku AND version = :previousVersion', {
        channelAccountId,
        sku,
        previousVersion,
      })
      .execute();
    if ((result.affected ?? 0) === 0) throw new AvailabilityVersionConflictError(`${channelAccountId}/${sku} was published concurrently`);
  }
}
