// The body of every service's main.ts: read the configuration from the environment, run the
// migrations and exit (MIGRATE_ONLY, the Kubernetes migration Job) or start the service, and
// shut it down gracefully on SIGTERM/SIGINT.
import { createLogger, type Logger } from '@retail-mesh/observability';
import { runMigrations } from '@retail-mesh/persistence';
import type { ConfigSchema } from '../config/config-schema.js';
import type { ServiceDefinition } from '../definition/service-definition.js';
import { serviceConfigFor } from './service-config-for.js';
import { createServiceDataSource } from './service-data-source.js';
import { startService } from './start-service.js';

/** Kubernetes waits 30 s by default between SIGTERM and SIGKILL; finish well before. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

export async function runServiceMain<S extends ConfigSchema>(definition: ServiceDefinition<S>): Promise<void> {
  let logger: Logger = createLogger({ service: definition.name });
  exitOnUnexpectedErrors(() => logger);
  try {
    const config = serviceConfigFor(definition);
    logger = createLogger({ service: definition.name, level: config.logLevel });

    if (config.migrateOnly) {
      const dataSource = await createServiceDataSource(definition, config);
      try {
        const applied = await runMigrations(dataSource);
        logger.info({ migrations: applied }, 'migrations applied (MIGRATE_ONLY): exiting');
      } finally {
        await dataSource.destroy();
      }
      return;
    }

    const service = await startService(definition, { config, logger });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutdown requested');
        const timeout = setTimeout(() => {
          logger.fatal({ timeout_ms: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time');
          process.exit(1);
        }, SHUTDOWN_TIMEOUT_MS);
        timeout.unref();
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.fatal({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
}

function exitOnUnexpectedErrors(logger: () => Logger): void {
  const crash = (error: unknown, kind: string) => {
    logger().fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', (error) => crash(error, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => crash(reason, 'unhandled promise rejection'));
}
