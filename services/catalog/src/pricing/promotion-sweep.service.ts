// Promotions start and end by the clock, not only by a write: sweep the promoted listings
// periodically so PriceChanged goes out when a promotion window opens or closes.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, SERVICE_CONFIG, type ServiceConfig } from '@retail-mesh/service-kit';
import type { Logger } from '@retail-mesh/observability';
import type { CatalogSettings } from '../catalog.settings.js';
import { PricingService } from './pricing.service.js';

@Injectable()
export class PromotionSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pricing: PricingService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig<CatalogSettings>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, this.config.settings.promotionSweepIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async sweep(): Promise<void> {
    try {
      const published = await this.pricing.sweepPromotionWindows();
      if (published > 0) this.logger.info({ published }, 'promotion windows changed prices');
    } catch (error) {
      this.logger.error({ err: error }, 'promotion sweep failed; retried at the next interval');
    }
  }
}
