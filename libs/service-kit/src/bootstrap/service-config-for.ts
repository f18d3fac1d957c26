import type { ConfigSchema, ConfigValues, Environment } from '../config/config-schema.js';
import { readServiceConfig, type ServiceConfig } from '../config/service-config.js';
import type { ServiceDefinition } from '../definition/service-definition.js';

/**
 * The configuration of `definition` from `environment` (default: process.env): its default
 * ports and name, its own settings. The embedded app passes a map of its own (ports, DATA_DIR,
 * BIND_HOST=127.0.0.1) instead of the process environment.
 */
export function serviceConfigFor<S extends ConfigSchema>(
  definition: ServiceDefinition<S>,
  environment?: Environment,
): ServiceConfig<ConfigValues<S>> {
  return readServiceConfig(
    { service: definition.name, grpcPort: definition.ports.grpc, httpPort: definition.ports.http },
    definition.settings,
    environment,
  );
}
