import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { catalogV1 } from '@retail-mesh/contracts';
import { PricingService } from './pricing.service.js';

const SERVICE = catalogV1.CATALOG_SERVICE_NAME;

type PricingMethods =
  | 'upsertPriceList'
  | 'getPriceList'
  | 'listPriceLists'
  | 'upsertPrices'
  | 'listPrices'
  | 'upsertPromotion'
  | 'getPromotion'
  | 'listPromotions'
  | 'getEffectivePrice';

@Controller()
export class PricingController implements Pick<catalogV1.CatalogServiceController, PricingMethods> {
  constructor(private readonly pricing: PricingService) {}

  @GrpcMethod(SERVICE, 'upsertPriceList')
  async upsertPriceList(request: catalogV1.UpsertPriceListRequest): Promise<catalogV1.UpsertPriceListResponse> {
    return { priceList: await this.pricing.upsertPriceList(request.priceList) };
  }

  @GrpcMethod(SERVICE, 'getPriceList')
  async getPriceList(request: catalogV1.GetPriceListRequest): Promise<catalogV1.GetPriceListResponse> {
    return { priceList: await this.pricing.getPriceList(request.priceListId) };
  }

  @GrpcMethod(SERVICE, 'listPriceLists')
  listPriceLists(request: catalogV1.ListPriceListsRequest): Promise<catalogV1.ListPriceListsResponse> {
    return this.pricing.listPriceLists(request);
  }

  @GrpcMethod(SERVICE, 'upsertPrices')
  async upsertPrices(request: catalogV1.UpsertPricesRequest): Promise<catalogV1.UpsertPricesResponse> {
    return { prices: await this.pricing.upsertPrices(request) };
  }

  @GrpcMethod(SERVICE, 'listPrices')
  listPrices(request: catalogV1.ListPricesRequest): Promise<catalogV1.ListPricesResponse> {
    return this.pricing.listPrices(request);
  }

  @GrpcMethod(SERVICE, 'upsertPromotion')
  async upsertPromotion(request: catalogV1.UpsertPromotionRequest): Promise<catalogV1.UpsertPromotionResponse> {
    return { promotion: await this.pricing.upsertPromotion(request.promotion) };
  }

  @GrpcMethod(SERVICE, 'getPromotion')
  async getPromotion(request: catalogV1.GetPromotionRequest): Promise<catalogV1.GetPromotionResponse> {
    return { promotion: await this.pricing.getPromotion(request.promotionId) };
  }

  @GrpcMethod(SERVICE, 'listPromotions')
  listPromotions(request: catalogV1.ListPromotionsRequest): Promise<catalogV1.ListPromotionsResponse> {
    return this.pricing.listPromotions(request);
  }

  @GrpcMethod(SERVICE, 'getEffectivePrice')
  async getEffectivePrice(request: catalogV1.GetEffectivePriceRequest): Promise<catalogV1.GetEffectivePriceResponse> {
    return { price: await this.pricing.getEffectivePrice(request.channelAccountId, request.sku) };
  }
}
