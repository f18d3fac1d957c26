// Distributed mode: one process per service over RabbitMQ and PostgreSQL (a schema per
// service), as Kubernetes runs it. The sandboxes stay in this process.
import path from 'node:path';
import { waitFor } from '@retail-mesh/testing';
import { allServiceEnvironments, meshLayout, type MeshLayout, type MeshOptions } from './mesh-environment.js';
import { ProcessSupervisor, type SupervisorOptions } from './process-supervisor.js';
import { startSandboxes, type RunningSandboxes } from './sandboxes.js';
import { REPO_ROOT, SERVICE_NAMES, type ServiceName } from './topology.js';

export interface DistributedMesh {
  layout: MeshLayout;
  sandboxes: RunningSandboxes;
  supervisor: ProcessSupervisor;
  /** Starts a stopped (or killed) service again and waits until it is ready. */
  restartService(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export interface DistributedMeshOptions extends MeshOptions {
  rabbitmqUrl: string;
  databaseUrl: string;
  onLine?: SupervisorOptions['onLine'];
}

function serviceScript(name: ServiceName): string {
  return path.join(REPO_ROOT, 'services', name, 'dist', 'main.js');
}

/**
 * Waits until the service answers /readyz. A process that exits meanwhile fails at once, and
 * either failure carries the process's last output lines: they say why it did not start.
 */
export async function waitUntilServiceReady(
  supervisor: ProcessSupervisor,
  name: ServiceName,
  httpPort: number,
  timeoutMs = 60_000,
): Promise<void> {
  const explain = (problem: string) => new Error(`${problem}; its last output:\n${supervisor.recentOutput(name).join('\n')}`);
  let outcome: 'ready' | 'exited';
  try {
    outcome = await waitFor(
      async () => {
        if (!supervisor.isRunning(name)) return 'exited' as const;
        const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
        return response.ok ? ('ready' as const) : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `readiness of ${name} on port ${httpPort}` },
    );
  } catch (error) {
    throw explain(error instanceof Error ? error.message : String(error));
  }
  if (outcome === 'exited') throw explain(`${name} exited during start-up (${supervisor.exitStatus(name) ?? 'unknown status'})`);
}

export async function startDistributedMesh(options: DistributedMeshOptions): Promise<DistributedMesh> {
  const layout = meshLayout(options);
  const sandboxes = await startSandboxes(layout);
  const supervisor = new ProcessSupervisor({ onLine: options.onLine });
  const environments = allServiceEnvironments(options, layout);
  const stop = async () => {
    await supervisor.stopAll();
    await sandboxes.close();
  };
  const restartService = async (name: ServiceName) => {
    supervisor.restart(name);
    await waitUntilServiceReady(supervisor, name, layout.services[name].httpPort);
  };
  try {
    await options.beforeServices?.(layout);
    for (const name of SERVICE_NAMES) {
      supervisor.start({ name, script: serviceScript(name), env: environments[name] });
      await waitUntilServiceReady(supervisor, name, layout.services[name].httpPort);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { layout, sandboxes, supervisor, restartService, stop };
}
