import { Injectable } from '@nestjs/common';
import { catalogV1 } from '@retail-mesh/contracts';
import { In, MoreThan, type EntityManager } from 'typeorm';
import { forUpdate } from '@retail-mesh/persistence';
import { ChannelListingEntity } from '../listings/channel-listing.entity.js';
import { EffectivePriceEntity } from './effective-price.entity.js';
import { PriceListAccountEntity } from './price-list-account.entity.js';
import { PriceListEntity } from './price-list.entity.js';
import { PriceEntity } from './price.entity.js';
import { PromotionEntity } from './promotion.entity.js';

const PAIRS_PER_QUERY = 200;

/** Price lists, prices, promotions and the last published effective prices. */
@Injectable()
export class PricingRepository {
  findPriceListForUpdate(manager: EntityManager, priceListId: string): Promise<PriceListEntity | null> {
    const query = manager
      .getRepository(PriceListEntity)
      .createQueryBuilder('list')
      .where('list.priceListId = :priceListId', { priceListId });
    return forUpdate(manager, query).getOne();
  }

  findPriceList(manager: EntityManager, priceListId: string): Promise<PriceListEntity | null> {
    return manager.findOneBy(PriceListEntity, { priceListId });
  }

  listPriceLists(manager: EntityManager, afterPriceListId: string | undefined, limit: number): Promise<PriceListEntity[]> {
    return manager.find(PriceListEntity, {
      where: afterPriceListId === undefined ? {} : { priceListId: MoreThan(afterPriceListId) },
      order: { priceListId: 'ASC' },
      take: limit,
    });
  }

  async savePriceList(manager: EntityManager, priceList: PriceListEntity, existed: boolean): Promise<void> {
    if (existed) await manager.update(PriceListEntity, { priceListId: priceList.priceListId }, priceList);
    else await manager.insert(PriceListEntity, priceList);
  }

  accountAssignments(manager: EntityManager, channelAccountIds: readonly string[]): Promise<PriceListAccountEntity[]> {
    return channelAccountIds.length === 0
      ? Promise.resolve([])
      : manager.findBy(PriceListAccountEntity, { channelAccountId: In([...channelAccountIds]) });
  }

  accountsOf(manager: EntityManager, priceListIds: readonly string[]): Promise<PriceListAccountEntity[]> {
    return priceListIds.length === 0 ? Promise.resolve([]) : manager.findBy(PriceListAccountEntity, { priceListId: In([...priceListIds]) });
  }

  async replaceAccounts(manager: EntityManager, priceListId: string, channelAccountIds: readonly string[]): Promise<void> {
    await manager.delete(PriceListAccountEntity, { priceListId });
    if (channelAccountIds.length > 0)
      await manager.insert(
        PriceListAccountEntity,
        channelAccountIds.map((channelAccountId) => ({ channelAccountId, priceListId })),
      );
  }

  countPrices(manager: EntityManager, priceListId: string): Promise<number> {
    return manager.countBy(PriceEntity, { priceListId });
  }

  prices(manager: EntityManager, priceListId: string, skus: readonly string[]): Promise<PriceEntity[]> {
    return skus.length === 0 ? Promise.resolve([]) : manager.findBy(PriceEntity, { priceListId, sku: In([...skus]) });
  }

  async savePrices(manager: EntityManager, prices: readonly PriceEntity[], existing: ReadonlySet<string>): Promise<void> {
    for (const price of prices) {
      if (existing.has(price.sku)) await manager.update(PriceEntity, { priceListId: price.priceListId, sku: price.sku }, price);
      else await manager.insert(PriceEntity, price);
    }
  }

  listPrices(
    manager: EntityManager,
    priceListId: string,
    skus: readonly string[],
    afterSku: string | undefined,
    limit: number,
  ): Promise<PriceEntity[]> {
    const query = manager.getRepository(PriceEntity).createQueryBuilder('price').where('price.priceListId = :priceListId', { priceListId });
    if (skus.length > 0) query.andWhere('price.sku IN (:...skus)', { skus });
    if (afterSku !== undefined) query.andWhere('price.sku > :afterSku', { afterSku });
    return query.orderBy('price.sku', 'ASC').take(limit).getMany();
  }

  findPromotionForUpdate(manager: EntityManager, promotionId: string): Promise<PromotionEntity | null> {
    const query = manager
      .getRepository(PromotionEntity)
      .createQueryBuilder('promotion')
      .where('promotion.promotionId = :promotionId', { promotionId });
    return forUpdate(manager, query).getOne();
  }

  findPromotion(manager: EntityManager, promotionId: string): Promise<PromotionEntity | null> {
    return manager.findOneBy(PromotionEntity, { promotionId });
  }

  async savePromotion(manager: EntityManager, promotion: PromotionEntity, existed: boolean): Promise<void> {
    if (existed) await manager.update(PromotionEntity, { promotionId: promotion.promotionId }, promotion);
    else await manager.insert(PromotionEntity, promotion);
  }

  activePromotions(manager: EntityManager): Promise<PromotionEntity[]> {
    return manager.findBy(PromotionEntity, { status: catalogV1.PromotionStatus.PROMOTION_STATUS_ACTIVE });
  }

  /** Promotions by id, optionally of some statuses; the account filter is applied by the caller (JSON column). */
  listPromotions(
    manager: EntityManager,
    statuses: readonly number[],
    afterPromotionId: string | undefined,
    limit: number,
  ): Promise<PromotionEntity[]> {
    return manager.find(PromotionEntity, {
      where: {
        ...(statuses.length > 0 ? { status: In([...statuses]) } : {}),
        ...(afterPromotionId !== undefined ? { promotionId: MoreThan(afterPromotionId) } : {}),
      },
      order: { promotionId: 'ASC' },
      take: limit,
    });
  }

  /** Listings on the given accounts (undefined = all) for the given SKUs (undefined = all). */
  listings(
    manager: EntityManager,
    channelAccountIds: readonly string[] | undefined,
    skus: readonly string[] | undefined,
  ): Promise<ChannelListingEntity[]> {
    if (channelAccountIds?.length === 0 || skus?.length === 0) return Promise.resolve([]);
    const query = manager.getRepository(ChannelListingEntity).createQueryBuilder('listing');
    if (channelAccountIds) query.andWhere('listing.channelAccountId IN (:...channelAccountIds)', { channelAccountIds });
    if (skus) query.andWhere('listing.sku IN (:...skus)', { skus });
    return query.getMany();
  }

  findListing(manager: EntityManager, channelAccountId: string, sku: string): Promise<ChannelListingEntity | null> {
    return manager.findOneBy(ChannelListingEntity, { channelAccountId, sku });
  }

  /** Listings whose current effective price comes from a promotion. */
  listingsWithPromotionPrice(manager: EntityManager): Promise<ChannelListingEntity[]> {
    return manager
      .getRepository(ChannelListingEntity)
      .createQueryBuilder('listing')
      .innerJoin(EffectivePriceEntity, 'price', 'price.channelAccountId = listing.channelAccountId AND price.sku = listing.sku')
      .where("price.promotionId <> ''")
      .getMany();
  }

  async effectivePrices(
    manager: EntityManager,
    listings: readonly { channelAccountId: string; sku: string }[],
  ): Promise<EffectivePriceEntity[]> {
    const found: EffectivePriceEntity[] = [];
    // One OR term per pair; batches keep the statement well inside SQLite's expression depth limit.
    for (let start = 0; start < listings.length; start += PAIRS_PER_QUERY) {
      const pairs = listings.slice(start, start + PAIRS_PER_QUERY).map(({ channelAccountId, sku }) => ({ channelAccountId, sku }));
      found.push(...(await manager.find(EffectivePriceEntity, { where: pairs })));
    }
    return found;
  }

  findEffectivePrice(manager: EntityManager, channelAccountId: string, sku: string): Promise<EffectivePriceEntity | null> {
    return manager.findOneBy(EffectivePriceEntity, { channelAccountId, sku });
  }

  async saveEffectivePrice(manager: EntityManager, price: EffectivePriceEntity, existed: boolean): Promise<void> {
    if (existed) await manager.update(EffectivePriceEntity, { channelAccountId: price.channelAccountId, sku: price.sku }, price);
    else await manager.insert(EffectivePriceEntity, price);
  }
}
