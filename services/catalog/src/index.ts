// The catalog service: products and variants, channel listings, price lists, promotions and
// effective prices (gRPC retail.catalog.v1.CatalogService). `catalogService` is what the
// embedded app starts; src/main.ts runs it standalone.
import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { CatalogModule } from './catalog.module.js';
import { catalogSettings } from './catalog.settings.js';
import { ChannelListingEntity } from './listings/channel-listing.entity.js';
import { CreateCatalogTables1764300000000 } from './migrations/1764300000000-create-catalog-tables.js';
import { EffectivePriceEntity } from './pricing/effective-price.entity.js';
import { PriceListAccountEntity } from './pricing/price-list-account.entity.js';
import { PriceListEntity } from './pricing/price-list.entity.js';
import { PriceEntity } from './pricing/price.entity.js';
import { PromotionEntity } from './pricing/promotion.entity.js';
import { ProductEntity } from './products/product.entity.js';
import { VariantEntity } from './products/variant.entity.js';

export const catalogService = defineService({
  name: 'catalog',
  grpc: grpcServices.catalog,
  ports: { grpc: 50051, http: 9151 },
  settings: catalogSettings,
  entities: [
    ProductEntity,
    VariantEntity,
    ChannelListingEntity,
    PriceListEntity,
    PriceListAccountEntity,
    PriceEntity,
    PromotionEntity,
    EffectivePriceEntity,
  ],
  migrations: [CreateCatalogTables1764300000000],
  module: () => ({ module: CatalogModule }),
});

export { catalogSettings, type CatalogSettings } from './catalog.settings.js';
