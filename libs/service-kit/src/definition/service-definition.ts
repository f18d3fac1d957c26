// What a service package exports so that the same code runs standalone (its own process,
// RabbitMQ, PostgreSQL) and embedded (one process for the whole mesh, an in-process bus,
// SQLite): its name, the gRPC services it serves, its default ports, its settings, its tables
// and its root NestJS module. `startService` does the rest.
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { GrpcServiceContract } from '@retail-mesh/contracts';
import type { EventBus } from '@retail-mesh/messaging';
import type { Logger, Readiness, RequestHandler, ServiceMetrics } from '@retail-mesh/observability';
import type { EntityDefinition, MigrationClass } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import type { ConfigSchema, ConfigValues } from '../config/config-schema.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { EventConsumers } from '../events/event-consumers.js';
import type { OutboxPublisher } from '../events/outbox-publisher.js';

export interface ServiceDefinition<S extends ConfigSchema = ConfigSchema> {
  /** kebab-case, one name per deployable (STYLE.md rule 1): `catalog`, `erp-connector`, `channel-shopify`. */
  name: string;
  /** The gRPC service(s) it serves, from `grpcServices` in @retail-mesh/contracts. */
  grpc: GrpcServiceContract | readonly GrpcServiceContract[];
  /** Stable default ports (ARCHITECTURE.md §10), overridden by GRPC_PORT / HTTP_PORT. */
  ports: { grpc: number; http: number };
  /** The service's own settings (`env.url('ERP_BASE_URL')`, ...), read with the standard config. */
  settings?: S;
  /** Its tables. The kit adds the outbox and inbox tables and their migrations. */
  entities: readonly EntityDefinition[];
  migrations: readonly MigrationClass[];
  /** Its root module. Everything in `infra` is also injectable (see ServiceKitModule). */
  module(infra: ServiceInfrastructure<ConfigValues<S>>): DynamicModule;
  /**
   * A plain Node request handler on its HTTP port ahead of the Nest app (no body parsing,
   * interceptors or router), for routes whose cost per request counts (webhooks in a flash sale).
   * Given the app to take its providers from; it calls `next()` for the requests it does not serve.
   */
  rawHttpRoutes?(app: INestApplication): RequestHandler;
}

/** Declares a service definition with its settings' types inferred. */
export function defineService<S extends ConfigSchema = Record<never, never>>(definition: ServiceDefinition<S>): ServiceDefinition<S> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(definition.name)) throw new Error(`service names are kebab-case, got "${definition.name}"`);
  return definition;
}

/** What `startService` builds (or is given) for a service and hands to its module. */
export interface ServiceInfrastructure<TSettings = object> {
  config: ServiceConfig<TSettings>;
  dataSource: DataSource;
  bus: EventBus;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
  /** Transactions that publish events through the outbox. */
  publisher: OutboxPublisher;
  /** Where consumers are registered. */
  consumers: EventConsumers;
}

/** Injection tokens for what has no class of its own (`@Inject(LOGGER) logger: Logger`). */
export const SERVICE_CONFIG = Symbol('retail-mesh:service-config');
export const LOGGER = Symbol('retail-mesh:logger');
export const EVENT_BUS = Symbol('retail-mesh:event-bus');
