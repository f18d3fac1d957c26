import { Module } from '@nestjs/common';
import { ListingsModule } from './listings/listings.module.js';
import { PricingModule } from './pricing/pricing.module.js';
import { ProductsModule } from './products/products.module.js';

@Module({
  imports: [ProductsModule, ListingsModule, PricingModule],
})
export class CatalogModule {}
