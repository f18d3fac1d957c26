// The configuration every service reads (brief: GRPC_PORT, HTTP_PORT, DATABASE_URL,
// DATABASE_SCHEMA, DATA_DIR, RABBITMQ_URL, EVENTS_EXCHANGE, LOG_LEVEL, plus the start-up flags),
// and the service's own settings declared in its ServiceDefinition.
import path from 'node:path';
import { LOG_LEVELS, type LogLevel } from '@retail-mesh/observability';
import { ConfigError, env, readConfig, type ConfigSchema, type ConfigValues, type Environment } from './config-schema.js';

export type DatabaseConfig = { type: 'postgres'; url: string; schema: string } | { type: 'sqlite'; path: string };

export interface ServiceConfig<TSettings = object> {
  /** The service name, e.g. `inventory` (the metrics, log and queue prefix). */
  service: string;
  /** Interface both servers listen on: 0.0.0.0 in a container, 127.0.0.1 in embedded mode. */
  bindHost: string;
  /** 0 = a free port (tests). */
  grpcPort: number;
  httpPort: number;
  database: DatabaseConfig;
  /** Absent only when the caller passes a bus in (embedded mode, tests). */
  rabbitmqUrl: string | undefined;
  eventsExchange: string;
  logLevel: LogLevel;
  /** Run pending migrations at start-up (embedded, dev). Production runs them in a Job instead. */
  migrateOnStart: boolean;
  /** Run the migrations and exit (the Kubernetes migration Job). */
  migrateOnly: boolean;
  /** How long consumers remember processed event ids (the inbox); far beyond any redelivery delay. */
  inboxRetentionHours: number;
  /** How often the inbox is purged of ids older than the retention. */
  inboxPurgeIntervalMs: number;
  /** The service's own settings (ServiceDefinition.settings). */
  settings: TSettings;
}

export interface ServiceConfigDefaults {
  service: string;
  grpcPort: number;
  httpPort: number;
}

// PostgreSQL identifiers we create unquoted (see libs/persistence).
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function standardSchema(defaults: ServiceConfigDefaults) {
  return {
    bindHost: env.string('BIND_HOST').default('0.0.0.0'),
    grpcPort: env.port('GRPC_PORT').default(defaults.grpcPort),
    httpPort: env.port('HTTP_PORT').default(defaults.httpPort),
    databaseUrl: env.url('DATABASE_URL', ['postgres:', 'postgresql:']).optional(),
    databaseSchema: env
      .string('DATABASE_SCHEMA', { pattern: SCHEMA_NAME, description: 'a PostgreSQL schema name (lower-case letters, digits, _)' })
      .default(defaults.service.replaceAll('-', '_')),
    dataDir: env.string('DATA_DIR').default('.data'),
    rabbitmqUrl: env.url('RABBITMQ_URL', ['amqp:', 'amqps:']).optional(),
    eventsExchange: env
      .string('EVENTS_EXCHANGE', { pattern: /^[A-Za-z0-9._:-]+$/, description: 'an exchange name' })
      .default('retail.events'),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS).default('info'),
    migrateOnStart: env.boolean('MIGRATE_ON_START').default(true),
    migrateOnly: env.boolean('MIGRATE_ONLY').default(false),
    inboxRetentionHours: env.int('INBOX_RETENTION_HOURS', { min: 1, max: 8_760 }).default(168),
    inboxPurgeIntervalMs: env.int('INBOX_PURGE_INTERVAL_MS', { min: 1_000, max: 86_400_000 }).default(3_600_000),
  };
}

/**
 * Reads the standard configuration and the service's own `settings` schema from `environment`
 * (default: process.env). Every problem is reported at once, naming the variable.
 */
export function readServiceConfig<S extends ConfigSchema = Record<never, never>>(
  defaults: ServiceConfigDefaults,
  settingsSchema?: S,
  environment: Environment = process.env,
): ServiceConfig<ConfigValues<S>> {
  let standard: ConfigValues<ReturnType<typeof standardSchema>> | undefined;
  let settings: ConfigValues<S> | undefined;
  const problems: string[] = [];
  try {
    standard = readConfig(standardSchema(defaults), environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    settings = readConfig(settingsSchema ?? ({} as S), environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!standard || !settings) throw new ConfigError(problems);

  const database: DatabaseConfig = standard.databaseUrl
    ? { type: 'postgres', url: standard.databaseUrl, schema: standard.databaseSchema }
    : { type: 'sqlite', path: path.resolve(standard.dataDir, `${defaults.service}.sqlite`) };
  return {
    service: defaults.service,
    bindHost: standard.bindHost,
    grpcPort: standard.grpcPort,
    httpPort: standard.httpPort,
    database,
    rabbitmqUrl: standard.rabbitmqUrl,
    eventsExchange: standard.eventsExchange,
    logLevel: standard.logLevel,
    migrateOnStart: standard.migrateOnStart,
    migrateOnly: standard.migrateOnly,
    inboxRetentionHours: standard.inboxRetentionHours,
    inboxPurgeIntervalMs: standard.inboxPurgeIntervalMs,
    settings,
  };
}
