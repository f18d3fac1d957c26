import { CreateInboxMessages1764201600001, InboxMessage, OUTBOX_MIGRATIONS, OutboxMessage } from '@retail-mesh/messaging';
import { createDataSource, type DatabaseOptions } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import type { ServiceConfig } from '../config/service-config.js';
import type { ServiceDefinition } from '../definition/service-definition.js';

/** The database options of a service: its entities and migrations plus the outbox and inbox. */
export function serviceDatabaseOptions(
  definition: Pick<ServiceDefinition, 'name' | 'entities' | 'migrations'>,
  config: Pick<ServiceConfig, 'database'>,
): DatabaseOptions {
  const entities = [...definition.entities, OutboxMessage, InboxMessage];
  const migrations = [...OUTBOX_MIGRATIONS, CreateInboxMessages1764201600001, ...definition.migrations];
  return config.database.type === 'postgres'
    ? { type: 'postgres', url: config.database.url, schema: config.database.schema, applicationName: definition.name, entities, migrations }
    : { type: 'sqlite', path: config.database.path, entities, migrations };
}

/**
 * An initialised DataSource for the service (migrations not yet run). `startService` creates
 * one itself; the embedded app uses this to create them when it wants to own them.
 */
export function createServiceDataSource(
  definition: Pick<ServiceDefinition, 'name' | 'entities' | 'migrations'>,
  config: Pick<ServiceConfig, 'database'>,
): Promise<DataSource> {
  return createDataSource(serviceDatabaseOptions(definition, config));
}
