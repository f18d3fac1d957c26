import { Injectable } from '@nestjs/common';
import { Brackets, type EntityManager } from 'typeorm';
import { forUpdate } from '@retail-mesh/persistence';
import { ChannelListingEntity } from './channel-listing.entity.js';

export interface ListingFilter {
  /** Empty = every account. */
  channelAccountId: string;
  statuses: readonly number[];
  skus: readonly string[];
  /** Sort key (channel account, SKU) of the last listing of the previous page. */
  after: readonly [string, string] | undefined;
  limit: number;
}

@Injectable()
export class ListingsRepository {
  findForUpdate(manager: EntityManager, channelAccountId: string, sku: string): Promise<ChannelListingEntity | null> {
    const query = manager
      .getRepository(ChannelListingEntity)
      .createQueryBuilder('listing')
      .where('listing.channelAccountId = :channelAccountId AND listing.sku = :sku', { channelAccountId, sku });
    return forUpdate(manager, query).getOne();
  }

  find(manager: EntityManager, channelAccountId: string, sku: string): Promise<ChannelListingEntity | null> {
    return manager.findOneBy(ChannelListingEntity, { channelAccountId, sku });
  }

  /** Any listing of the account on another channel (an account belongs to one channel). */
  findOnOtherChannel(manager: EntityManager, channelAccountId: string, channel: string): Promise<ChannelListingEntity | null> {
    return manager
      .getRepository(ChannelListingEntity)
      .createQueryBuilder('listing')
      .where('listing.channelAccountId = :channelAccountId AND listing.channel <> :channel', { channelAccountId, channel })
      .getOne();
  }

  async save(manager: EntityManager, listing: ChannelListingEntity, existed: boolean): Promise<void> {
    if (existed) await manager.update(ChannelListingEntity, { channelAccountId: listing.channelAccountId, sku: listing.sku }, listing);
    else await manager.insert(ChannelListingEntity, listing);
  }

  list(manager: EntityManager, filter: ListingFilter): Promise<ChannelListingEntity[]> {
    const query = manager.getRepository(ChannelListingEntity).createQueryBuilder('listing');
    if (filter.channelAccountId)
      query.andWhere('listing.channelAccountId = :channelAccountId', { channelAccountId: filter.channelAccountId });
    if (filter.statuses.length > 0) query.andWhere('listing.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.skus.length > 0) query.andWhere('listing.sku IN (:...skus)', { skus: filter.skus });
    if (filter.after) {
      const [afterAccount, afterSku] = filter.after;
      query.andWhere(
        new Brackets((where) =>
          where
            .where('listing.channelAccountId > :afterAccount', { afterAccount })
            .orWhere('listing.channelAccountId = :afterAccount AND listing.sku > :afterSku', { afterAccount, afterSku }),
        ),
      );
    }
    return query.orderBy('listing.channelAccountId', 'ASC').addOrderBy('listing.sku', 'ASC').take(filter.limit).getMany();
  }
}
