import { Injectable } from '@nestjs/common';
import { catalogV1 } from '@retail-mesh/contracts';
import {
  AbortedError,
  decodePageToken,
  FailedPreconditionError,
  NotFoundError,
  OutboxPublisher,
  pageOf,
  pageSizeOf,
} from '@retail-mesh/service-kit';
import { isUniqueViolation } from '@retail-mesh/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { assertChannelAccountId, assertSku } from '../products/product-identifiers.js';
import { EffectivePricesService } from './effective-prices.service.js';
import { PriceListEntity } from './price-list.entity.js';
import { PriceEntity } from './price.entity.js';
import { normalizePriceInputs, normalizePriceListInput, normalizePromotionInput } from './pricing-input.js';
import { toEffectivePriceMessage, toPriceListMessage, toPriceMessage, toPromotionEntity, toPromotionMessage } from './pricing.mapper.js';
import { PricingRepository } from './pricing.repository.js';
import { PromotionEntity } from './promotion.entity.js';

@Injectable()
export class PricingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly pricing: PricingRepository,
    private readonly effectivePrices: EffectivePricesService,
  ) {}

  /** Creates or replaces a price list and the accounts that use it; reprices the listings of every account it gains or loses. */
  upsertPriceList(request: catalogV1.PriceList | null | undefined): Promise<catalogV1.PriceList> {
    const input = normalizePriceListInput(request);
    return this.concurrencySafe(`price list ${input.priceListId}`, () =>
      this.publisher.transaction(async (context) => {
        const { manager } = context;
        const existing = await this.pricing.findPriceListForUpdate(manager, input.priceListId);
        if (existing && existing.currency !== input.currency && (await this.pricing.countPrices(manager, input.priceListId)) > 0) {
          throw new FailedPreconditionError(
            'currency_change_with_prices',
            `price list ${input.priceListId} has ${existing.currency} prices`,
          );
        }
        const taken = (await this.pricing.accountAssignments(manager, input.channelAccountIds)).find(
          (row) => row.priceListId !== input.priceListId,
        );
        if (taken) {
          throw new FailedPreconditionError(
            'channel_account_has_price_list',
            `channel account ${taken.channelAccountId} uses price list ${taken.priceListId}`,
          );
        }
        const previousAccounts = (await this.pricing.accountsOf(manager, [input.priceListId])).map((row) => row.channelAccountId);
        const priceList = Object.assign(new PriceListEntity(), {
          priceListId: input.priceListId,
          name: input.name,
          currency: input.currency,
          version: (existing?.version ?? 0) + 1,
          updatedAt: new Date(),
        });
        await this.pricing.savePriceList(manager, priceList, existing !== null);
        await this.pricing.replaceAccounts(manager, input.priceListId, input.channelAccountIds);
        const affected = [...new Set([...previousAccounts, ...input.channelAccountIds])];
        await this.effectivePrices.refresh(context, await this.pricing.listings(manager, affected, undefined));
        return toPriceListMessage(priceList, input.channelAccountIds);
      }),
    );
  }

  async getPriceList(priceListId: string): Promise<catalogV1.PriceList> {
    const manager = this.dataSource.manager;
    const priceList = await this.pricing.findPriceList(manager, priceListId);
    if (!priceList) throw new NotFoundError('price_list_not_found', `no price list ${JSON.stringify(priceListId)}`);
    const accounts = await this.pricing.accountsOf(manager, [priceListId]);
    return toPriceListMessage(
      priceList,
      accounts.map((row) => row.channelAccountId),
    );
  }

  async listPriceLists(request: catalogV1.ListPriceListsRequest): Promise<catalogV1.ListPriceListsResponse> {
    const manager = this.dataSource.manager;
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1)?.[0];
    const rows = await this.pricing.listPriceLists(manager, after === undefined ? undefined : String(after), pageSize + 1);
    const { items, nextPageToken } = pageOf(rows, pageSize, (priceList) => [priceList.priceListId]);
    const accounts = await this.pricing.accountsOf(
      manager,
      items.map((priceList) => priceList.priceListId),
    );
    return {
      priceLists: items.map((priceList) =>
        toPriceListMessage(
          priceList,
          accounts.filter((row) => row.priceListId === priceList.priceListId).map((row) => row.channelAccountId),
        ),
      ),
      page: { nextPageToken },
    };
  }

  /** Sets prices in a list; reprices the listings of those SKUs on the list's accounts. */
  upsertPrices(request: catalogV1.UpsertPricesRequest): Promise<catalogV1.Price[]> {
    return this.concurrencySafe(`prices of ${request.priceListId}`, () =>
      this.publisher.transaction(async (context) => {
        const { manager } = context;
        const priceList = await this.pricing.findPriceListForUpdate(manager, request.priceListId);
        if (!priceList) throw new NotFoundError('price_list_not_found', `no price list ${JSON.stringify(request.priceListId)}`);
        const inputs = normalizePriceInputs(request.prices, priceList.currency);
        const skus = inputs.map((input) => input.sku);
        const existing = new Map((await this.pricing.prices(manager, priceList.priceListId, skus)).map((price) => [price.sku, price]));
        const updatedAt = new Date();
        const prices = inputs.map((input) =>
          Object.assign(new PriceEntity(), {
            priceListId: priceList.priceListId,
            sku: input.sku,
            amountMinor: input.amount.amountMinor,
            compareAtAmountMinor: input.compareAtAmount?.amountMinor ?? null,
            version: (existing.get(input.sku)?.version ?? 0) + 1,
            updatedAt,
          }),
        );
        await this.pricing.savePrices(manager, prices, new Set(existing.keys()));
        const accounts = (await this.pricing.accountsOf(manager, [priceList.priceListId])).map((row) => row.channelAccountId);
        await this.effectivePrices.refresh(context, await this.pricing.listings(manager, accounts, skus));
        return prices.map((price) => toPriceMessage(price, priceList.currency));
      }),
    );
  }

  async listPrices(request: catalogV1.ListPricesRequest): Promise<catalogV1.ListPricesResponse> {
    const manager = this.dataSource.manager;
    const priceList = await this.pricing.findPriceList(manager, request.priceListId);
    if (!priceList) throw new NotFoundError('price_list_not_found', `no price list ${JSON.stringify(request.priceListId)}`);
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1)?.[0];
    const rows = await this.pricing.listPrices(
      manager,
      priceList.priceListId,
      request.skus,
      after === undefined ? undefined : String(after),
      pageSize + 1,
    );
    const { items, nextPageToken } = pageOf(rows, pageSize, (price) => [price.sku]);
    return { prices: items.map((price) => toPriceMessage(price, priceList.currency)), page: { nextPageToken } };
  }

  /** Creates or replaces a promotion; reprices every listing it covered before or covers now. */
  upsertPromotion(request: catalogV1.Promotion | null | undefined): Promise<catalogV1.Promotion> {
    const input = normalizePromotionInput(request);
    return this.concurrencySafe(`promotion ${input.promotionId}`, () =>
      this.publisher.transaction(async (context) => {
        const { manager } = context;
        const existing = await this.pricing.findPromotionForUpdate(manager, input.promotionId);
        const promotion = toPromotionEntity(input, (existing?.version ?? 0) + 1, new Date());
        await this.pricing.savePromotion(manager, promotion, existing !== null);
        const covered = [
          ...(existing ? await this.listingsCoveredBy(manager, existing) : []),
          ...(await this.listingsCoveredBy(manager, promotion)),
        ];
        await this.effectivePrices.refresh(context, covered);
        return toPromotionMessage(promotion);
      }),
    );
  }

  async getPromotion(promotionId: string): Promise<catalogV1.Promotion> {
    const promotion = await this.pricing.findPromotion(this.dataSource.manager, promotionId);
    if (!promotion) throw new NotFoundError('promotion_not_found', `no promotion ${JSON.stringify(promotionId)}`);
    return toPromotionMessage(promotion);
  }

  async listPromotions(request: catalogV1.ListPromotionsRequest): Promise<catalogV1.ListPromotionsResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1)?.[0];
    const items: PromotionEntity[] = [];
    let cursor = after === undefined ? undefined : String(after);
    // The account filter reads a JSON column, so it is applied here, a page of rows at a time.
    for (;;) {
      const rows = await this.pricing.listPromotions(this.dataSource.manager, request.statuses, cursor, pageSize + 1);
      for (const row of rows) {
        if (!request.channelAccountId || row.channelAccountIds.length === 0 || row.channelAccountIds.includes(request.channelAccountId))
          items.push(row);
      }
      if (rows.length <= pageSize || items.length > pageSize) break;
      cursor = rows[rows.length - 1].promotionId;
    }
    const { items: page, nextPageToken } = pageOf(items, pageSize, (promotion) => [promotion.promotionId]);
    return { promotions: page.map(toPromotionMessage), page: { nextPageToken } };
  }

  /** The price the account shows for the SKU now (computed; the version is the one it has or will be published with). */
  async getEffectivePrice(channelAccountId: string, sku: string): Promise<catalogV1.EffectivePrice> {
    assertChannelAccountId(channelAccountId);
    assertSku(sku);
    const manager = this.dataSource.manager;
    const listing = await this.pricing.findListing(manager, channelAccountId, sku);
    const price = await this.effectivePrices.current(manager, { channelAccountId, sku, channel: listing?.channel ?? '' });
    if (!price) throw new NotFoundError('price_not_found', `channel account ${channelAccountId} has no price for ${sku}`);
    return toEffectivePriceMessage(price);
  }

  /** Reprices the listings whose promotion price may have started or ended since the last sweep. */
  sweepPromotionWindows(): Promise<number> {
    return this.publisher.transaction(async (context) => {
      const listings = [...(await this.pricing.listingsWithPromotionPrice(context.manager))];
      for (const promotion of await this.pricing.activePromotions(context.manager))
        listings.push(...(await this.listingsCoveredBy(context.manager, promotion)));
      return this.effectivePrices.refresh(context, listings);
    });
  }

  private listingsCoveredBy(manager: EntityManager, promotion: PromotionEntity) {
    const accounts = promotion.channelAccountIds.length > 0 ? promotion.channelAccountIds : undefined;
    const skus = promotion.skus.length > 0 ? promotion.skus : undefined;
    return this.pricing.listings(manager, accounts, skus);
  }

  private async concurrencySafe<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AbortedError('concurrent_update', `${what} changed concurrently; retry`, { cause: error });
      throw error;
    }
  }
}
