import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Readiness, ServiceMetrics } from '@retail-mesh/observability';
import { DataSource } from 'typeorm';
import { EVENT_BUS, LOGGER, SERVICE_CONFIG, type ServiceInfrastructure } from '../definition/service-definition.js';
import { EventConsumers } from '../events/event-consumers.js';
import { OutboxPublisher } from '../events/outbox-publisher.js';

/**
 * Makes a service's infrastructure injectable everywhere in its app: by class (DataSource,
 * OutboxPublisher, EventConsumers, ServiceMetrics, Readiness) or by token (SERVICE_CONFIG,
 * LOGGER, EVENT_BUS).
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forInfrastructure(infra: ServiceInfrastructure): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: infra.config },
      { provide: LOGGER, useValue: infra.logger },
      { provide: EVENT_BUS, useValue: infra.bus },
      { provide: DataSource, useValue: infra.dataSource },
      { provide: ServiceMetrics, useValue: infra.metrics },
      { provide: Readiness, useValue: infra.readiness },
      { provide: OutboxPublisher, useValue: infra.publisher },
      { provide: EventConsumers, useValue: infra.consumers },
    ];
    return { module: ServiceKitModule, global: true, providers, exports: providers };
  }
}
