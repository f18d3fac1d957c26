// Embedded mode: every service in this one process, each on its own loopback ports, over one
// in-process event bus (same ack / retry / dead-letter semantics as RabbitMQ) and a SQLite file
// per service. For trying the mesh out, demos and fast flow tests.
import { InProcessEventBus } from '@retail-mesh/messaging';
import { busMetricsObserver, readServiceConfig, startService, type RunningService } from '@retail-mesh/service-kit';
import { meshLayout, serviceEnvironment, type MeshLayout, type MeshOptions } from './mesh-environment.js';
import { startSandboxes, type RunningSandboxes } from './sandboxes.js';
import { SERVICE_DEFINITIONS } from './service-definitions.js';
import { SERVICE_NAMES, type ServiceName } from './topology.js';

export interface EmbeddedMesh {
  layout: MeshLayout;
  sandboxes: RunningSandboxes;
  bus: InProcessEventBus;
  services: Record<ServiceName, RunningService>;
  stop(): Promise<void>;
}

export async function startEmbeddedMesh(options: Omit<MeshOptions, 'rabbitmqUrl' | 'databaseUrl'> = {}): Promise<EmbeddedMesh> {
  const layout = meshLayout(options);
  const sandboxes = await startSandboxes(layout);
  const bus = new InProcessEventBus({ observer: busMetricsObserver });
  const started: RunningService[] = [];
  const stop = async () => {
    for (const service of [...started].reverse()) await service.close();
    await bus.close();
    await sandboxes.close();
  };
  try {
    await options.beforeServices?.(layout);
    for (const name of SERVICE_NAMES) {
      const definition = SERVICE_DEFINITIONS[name];
      const config = readServiceConfig(
        { service: name, grpcPort: definition.ports.grpc, httpPort: definition.ports.http },
        definition.settings,
        serviceEnvironment(name, options, layout),
      );
      started.push(await startService(definition, { config, bus }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const services = Object.fromEntries(started.map((service) => [service.name, service])) as Record<ServiceName, RunningService>;
  return { layout, sandboxes, bus, services, stop };
}
