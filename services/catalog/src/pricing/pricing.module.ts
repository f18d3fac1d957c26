import { Module } from '@nestjs/common';
import { EffectivePricesService } from './effective-prices.service.js';
import { PricingController } from './pricing.controller.js';
import { PricingRepository } from './pricing.repository.js';
import { PricingService } from './pricing.service.js';
import { PromotionSweepService } from './promotion-sweep.service.js';

@Module({
  controllers: [PricingController],
  providers: [PricingService, PricingRepository, EffectivePricesService, PromotionSweepService],
  exports: [EffectivePricesService],
})
export class PricingModule {}
