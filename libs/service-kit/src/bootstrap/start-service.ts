// Starts one service: a hybrid NestJS app with an HTTP server (/metrics, /healthz, /readyz)
// and a gRPC server (its services, grpc.health.v1, reflection), over a DataSource and an event
// bus that are either created from the configuration (standalone) or passed in by the caller
// (embedded mode, tests). Also starts the outbox relay and the service's consumers, and shuts
// all of it down in order.
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { PROTO_ROOT, protoLoaderOptions, type GrpcServiceContract } from '@retail-mesh/contracts';
import { createEventBus, OutboxRelay, type EventBus } from '@retail-mesh/messaging';
import {
  addGrpcReflection,
  BusMetricsObserver,
  createLogger,
  GrpcHealth,
  GrpcObservabilityInterceptor,
  NestPinoLogger,
  observabilityRequestHandler,
  Readiness,
  ServiceMetrics,
  type DestinationStream,
  type Logger,
} from '@retail-mesh/observability';
import { runMigrations } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import { ConfigError, type ConfigSchema, type ConfigValues } from '../config/config-schema.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { ServiceDefinition, ServiceInfrastructure } from '../definition/service-definition.js';
import { GrpcErrorMappingInterceptor } from '../errors/grpc-error-mapping.js';
import { EventConsumers } from '../events/event-consumers.js';
import { OutboxPublisher } from '../events/outbox-publisher.js';
import { freePort } from './free-port.js';
import { serviceConfigFor } from './service-config-for.js';
import { createServiceDataSource } from './service-data-source.js';
import { ServiceKitModule } from './service-kit.module.js';

/**
 * Routes the retries and dead letters a bus reports to the service owning the queue. Create a
 * bus shared by several services (embedded mode) with `{ observer: busMetricsObserver }`.
 */
export const busMetricsObserver = new BusMetricsObserver();

export interface StartServiceOptions<TSettings> {
  /** Default: read from process.env. */
  config?: ServiceConfig<TSettings>;
  /**
   * A bus the caller owns and closes (embedded mode: the shared in-process bus, created with
   * `observer: busMetricsObserver`). Default: a RabbitMQ bus at RABBITMQ_URL, closed by `close()`.
   */
  bus?: EventBus;
  /** A DataSource the caller owns and closes (see createServiceDataSource). Default: from the config, closed by `close()`. */
  dataSource?: DataSource;
  /** Default: a pino JSON logger at the configured level, writing to `logDestination` (stdout). */
  logger?: Logger;
  logDestination?: DestinationStream;
}

export interface RunningService {
  name: string;
  /** `host:port` for gRPC clients (`createGrpcClient`). */
  grpcUrl: string;
  /** `http://host:port` of /metrics, /healthz, /readyz. */
  httpUrl: string;
  config: ServiceConfig<unknown>;
  logger: Logger;
  metrics: ServiceMetrics;
  dataSource: DataSource;
  bus: EventBus;
  /** Graceful shutdown (idempotent): not ready, NOT_SERVING, drain consumers, close servers, flush the outbox, close what it opened. */
  close(): Promise<void>;
}

interface ShutdownStep {
  name: string;
  run(): Promise<unknown> | unknown;
}

export async function startService<S extends ConfigSchema>(
  definition: ServiceDefinition<S>,
  options: StartServiceOptions<ConfigValues<S>> = {},
): Promise<RunningService> {
  const config = options.config ?? serviceConfigFor(definition);
  if (config.service !== definition.name) throw new Error(`config is for ${config.service}, not ${definition.name}`);
  if (!options.bus && !config.rabbitmqUrl) throw missingBrokerError();
  const logger = options.logger ?? createLogger({ service: definition.name, level: config.logLevel, destination: options.logDestination });
  // Run in reverse on close, and on a failed start-up to undo what was done so far.
  const shutdown: ShutdownStep[] = [];
  const readiness = new Readiness();
  const contracts: readonly GrpcServiceContract[] = Array.isArray(definition.grpc)
    ? definition.grpc
    : [definition.grpc as GrpcServiceContract];
  const health = new GrpcHealth(contracts.map((contract) => `${contract.packageName}.${contract.serviceName}`));

  try {
    const metrics = new ServiceMetrics({ service: definition.name });
    shutdown.push({ name: 'metrics', run: () => metrics.close() });

    const dataSource = options.dataSource ?? (await createServiceDataSource(definition, config));
    if (!options.dataSource) shutdown.push({ name: 'database', run: () => dataSource.destroy() });
    if (config.migrateOnStart) {
      const applied = await runMigrations(dataSource);
      if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    }

    const bus = options.bus ?? (await connectBus(config, logger));
    if (!options.bus) shutdown.push({ name: 'bus', run: () => bus.close() });

    const relay = new OutboxRelay({
      dataSource,
      bus,
      logger: logger.child({ component: 'outbox-relay' }),
      observer: { published: (count) => metrics.outboxPublishedMessages(count), failed: () => metrics.outboxPublishFailed() },
    });
    relay.start();
    // Publishes what in-flight work committed before the servers closed.
    shutdown.push({ name: 'outbox relay', run: () => relay.stop() });
    const publisher = new OutboxPublisher(definition.name, dataSource);
    const consumers = new EventConsumers({
      service: definition.name,
      inboxRetentionMs: config.inboxRetentionHours * 3_600_000,
      inboxPurgeIntervalMs: config.inboxPurgeIntervalMs,
      bus,
      dataSource,
      publisher,
      metrics,
      busObserver: busMetricsObserver,
      logger,
    });

    readiness.add('database', async () => {
      await dataSource.query('SELECT 1');
    });
    readiness.add('bus', () => bus.isReady());
    metrics.trackOutbox(async () => {
      const backlog = await relay.backlog();
      return { pending: backlog.count, oldestAgeSeconds: backlog.oldestAgeSeconds };
    });
    metrics.trackDeadLetterQueues(
      () => consumers.queues(),
      (queue) => bus.deadLetterCount(queue),
    );

    const infra: ServiceInfrastructure<ConfigValues<S>> = { config, dataSource, bus, logger, metrics, readiness, publisher, consumers };
    const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
    const app = await NestFactory.create(
      {
        module: class ServiceRootModule {},
        imports: [ServiceKitModule.forInfrastructure(infra as ServiceInfrastructure), definition.module(infra)],
      },
      // Nest's start-up chatter (every route and module) only at debug.
      { logger: new NestPinoLogger(logger.child({}, { level: verbose ? config.logLevel : 'warn' })), abortOnError: false },
    );
    shutdown.push({ name: 'servers', run: () => app.close() });
    app.use(observabilityRequestHandler({ metrics, readiness }));
    // Registered before init(), these run ahead of the body parsers Nest adds then.
    if (definition.rawHttpRoutes) app.use(definition.rawHttpRoutes(app));

    // The gRPC handlers are bound when the microservice connects and take the interceptors the
    // app has then (inheritAppConfig); both pass HTTP requests through untouched.
    // Outermost first: the observability interceptor sees the status the error mapping chose.
    app.useGlobalInterceptors(new GrpcObservabilityInterceptor(metrics, logger), new GrpcErrorMappingInterceptor());
    const grpcPort = config.grpcPort === 0 ? await freePort(config.bindHost) : config.grpcPort;
    app.connectMicroservice<GrpcOptions>(
      {
        transport: Transport.GRPC,
        options: {
          url: `${config.bindHost}:${grpcPort}`,
          package: contracts.map((contract) => contract.packageName),
          protoPath: contracts.map((contract) => path.join(PROTO_ROOT, contract.protoPath)),
          loader: protoLoaderOptions,
          // close() waits for calls in flight instead of cutting them off.
          gracefulShutdown: true,
          onLoadPackageDefinition: (packageDefinition, server) => {
            health.addToServer(server);
            addGrpcReflection(server, packageDefinition, protoLoaderOptions);
          },
        },
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    // Nest passes the arguments on to http.Server.listen; its types only name port and host.
    await (app.listen as unknown as (port: number, host: string, backlog: number) => Promise<unknown>).call(
      app,
      config.httpPort,
      config.bindHost,
      HTTP_LISTEN_BACKLOG,
    );

    await consumers.start();
    shutdown.push({ name: 'consumers', run: () => consumers.drain() });
    health.setServing();

    const host = config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost;
    const httpPort = (app.getHttpServer().address() as AddressInfo).port;
    const running: RunningService = {
      name: definition.name,
      grpcUrl: `${host}:${grpcPort}`,
      httpUrl: `http://${host}:${httpPort}`,
      config,
      logger,
      metrics,
      dataSource,
      bus,
      close: once(async () => {
        logger.info('service stopping');
        readiness.markShuttingDown();
        health.setNotServing();
        await runShutdown(shutdown, logger);
        logger.info('service stopped');
      }),
    };
    logger.info({ grpc_url: running.grpcUrl, http_url: running.httpUrl, database: config.database.type }, 'service started');
    return running;
  } catch (error) {
    readiness.markShuttingDown();
    health.setNotServing();
    await runShutdown(shutdown, logger);
    throw error;
  }
}

/**
 * Connections the kernel completes and holds until the process accepts them (capped by
 * net.core.somaxconn, 4096 on current kernels). Node's default, 511, overflowed under a burst of
 * Shopify webhooks (a connection per delivery in flight): the kernel dropped the handshakes and
 * the sender retried after 1 s and 3 s, so deliveries missed Shopify's 5 s.
 */
const HTTP_LISTEN_BACKLOG = 4096;

function missingBrokerError(): ConfigError {
  return new ConfigError([
    'RABBITMQ_URL is required: expected a URL starting with amqp:// or amqps:// (a standalone service needs the broker; only the embedded app passes an in-process bus)',
  ]);
}

async function connectBus(config: ServiceConfig<unknown>, logger: Logger): Promise<EventBus> {
  if (!config.rabbitmqUrl) throw missingBrokerError();
  return createEventBus({
    url: config.rabbitmqUrl,
    exchange: config.eventsExchange,
    logger: logger.child({ component: 'event-bus' }),
    observer: busMetricsObserver,
  });
}

// Every step runs even if an earlier one fails, so one stuck resource does not leak the rest.
async function runShutdown(steps: ShutdownStep[], logger: Logger): Promise<void> {
  for (const step of steps.splice(0).reverse()) {
    try {
      await step.run();
    } catch (error) {
      logger.error({ err: error, step: step.name }, 'shutdown step failed');
    }
  }
}

function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
