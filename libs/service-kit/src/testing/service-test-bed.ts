// What an int-spec needs to run a service the two ways it is deployed: distributed (its own test
// PostgreSQL schema and RabbitMQ vhost) or embedded (SQLite in a temporary directory and an
// in-process bus the test shares with it). The spec gets a bus of its own on the same broker, so
// it can bind its queues before the service publishes anything, and it may start the service
// again (a restart) or several times (replicas on one database and broker).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessEventBus, RabbitMqEventBus, type EventBus } from '@retail-mesh/messaging';
import { createLogger, type LogLevel } from '@retail-mesh/observability';
import { createTestSchema, createTestVhost, type TestSchema, type TestVhost } from '@retail-mesh/testing';
import { startService, type RunningService } from '../bootstrap/start-service.js';
import type { ConfigSchema } from '../config/config-schema.js';
import { readServiceConfig } from '../config/service-config.js';
import type { ServiceDefinition } from '../definition/service-definition.js';

export type ServiceTestMode = 'postgres+rabbitmq' | 'sqlite+in-process';

/** Both modes with a readable name, for `describe.each(SERVICE_TEST_MODES)('... on $name', ({ mode }) => ...)`. */
export const SERVICE_TEST_MODES = [
  { name: 'PostgreSQL + RabbitMQ', mode: 'postgres+rabbitmq' },
  { name: 'SQLite + in-process bus', mode: 'sqlite+in-process' },
] as const satisfies ReadonlyArray<{ name: string; mode: ServiceTestMode }>;

export interface ServiceTestBedOptions {
  mode: ServiceTestMode;
  /** The service's own settings (or standard variables to override), as environment strings. */
  settings?: Record<string, string>;
  /** Prefix of the test schema and vhost names. Default: `rm_<service name with _>`. */
  isolationPrefix?: string;
  /** Level of the services' loggers. Default: `error`. */
  logLevel?: LogLevel;
}

export interface ServiceTestBed {
  readonly mode: ServiceTestMode;
  /**
   * The test's bus: a connection of its own to the test vhost (postgres+rabbitmq), or the
   * in-process bus the services are given (sqlite+in-process). Closed by `close()`.
   */
  readonly bus: EventBus;
  /** The environment the services are configured from (free ports, 127.0.0.1, the test database). */
  readonly environment: Readonly<Record<string, string>>;
  /** Starts an instance of the service: the first, a replica, or a restart after closing one. */
  start(): Promise<RunningService>;
  /**
   * Closes every instance started (again: a service's close is idempotent), the bus, and removes
   * the schema, vhost and data directory. Idempotent.
   */
  close(): Promise<void>;
}

export async function createServiceTestBed<S extends ConfigSchema>(
  definition: ServiceDefinition<S>,
  options: ServiceTestBedOptions,
): Promise<ServiceTestBed> {
  const distributed = options.mode === 'postgres+rabbitmq';
  const prefix = options.isolationPrefix ?? `rm_${definition.name.replaceAll('-', '_')}`;
  const started: RunningService[] = [];
  let schema: TestSchema | undefined;
  let vhost: TestVhost | undefined;
  let bus: EventBus | undefined;
  const dataDir = await mkdtemp(path.join(tmpdir(), `${definition.name}-int-`));

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const service of started) await service.close();
      await bus?.close();
      await schema?.remove();
      await vhost?.remove();
      await rm(dataDir, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    const environment: Record<string, string> = {
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...options.settings,
    };
    if (distributed) {
      schema = await createTestSchema(prefix);
      vhost = await createTestVhost(prefix);
      Object.assign(environment, { DATABASE_URL: schema.url, DATABASE_SCHEMA: schema.name, RABBITMQ_URL: vhost.url });
      bus = await RabbitMqEventBus.connect({ url: vhost.url, connectionName: `${definition.name}-int-spec` });
    } else {
      bus = new InProcessEventBus();
    }
    const testBus = bus;
    const start = async (): Promise<RunningService> => {
      const service = await startService(definition, {
        config: readServiceConfig({ service: definition.name, grpcPort: 0, httpPort: 0 }, definition.settings, environment),
        // Distributed: the service connects to RABBITMQ_URL itself, like a standalone process.
        ...(distributed ? {} : { bus: testBus }),
        logger: createLogger({ service: definition.name, level: options.logLevel ?? 'error' }),
      });
      started.push(service);
      return service;
    };
    return { mode: options.mode, bus: testBus, environment, start, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The value of a metric on a service's /metrics (the first series with the labels given), 0 when absent. */
export async function scrapeMetric(
  service: Pick<RunningService, 'httpUrl'>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) && wanted.every((label) => candidate.includes(label)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
