import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { catalogV1 } from '@retail-mesh/contracts';
import { ListingsService } from './listings.service.js';

const SERVICE = catalogV1.CATALOG_SERVICE_NAME;

@Controller()
export class ListingsController implements Pick<
  catalogV1.CatalogServiceController,
  'upsertChannelListing' | 'getChannelListing' | 'listChannelListings'
> {
  constructor(private readonly listings: ListingsService) {}

  @GrpcMethod(SERVICE, 'upsertChannelListing')
  async upsertChannelListing(request: catalogV1.UpsertChannelListingRequest): Promise<catalogV1.UpsertChannelListingResponse> {
    return { listing: await this.listings.upsertChannelListing(request.listing) };
  }

  @GrpcMethod(SERVICE, 'getChannelListing')
  async getChannelListing(request: catalogV1.GetChannelListingRequest): Promise<catalogV1.GetChannelListingResponse> {
    return { listing: await this.listings.getChannelListing(request.channelAccountId, request.sku) };
  }

  @GrpcMethod(SERVICE, 'listChannelListings')
  listChannelListings(request: catalogV1.ListChannelListingsRequest): Promise<catalogV1.ListChannelListingsResponse> {
    return this.listings.listChannelListings(request);
  }
}
