// The mesh's deployables and their stable default ports (ARCHITECTURE §10).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ServicePorts {
  grpcPort: number;
  httpPort: number;
}

/** Services that exist today, in start order (a service's dependencies start before it). */
export const SERVICE_PORTS = {
  catalog: { grpcPort: 50051, httpPort: 9151 },
  inventory: { grpcPort: 50052, httpPort: 9152 },
  'erp-connector': { grpcPort: 50056, httpPort: 9156 },
  orders: { grpcPort: 50053, httpPort: 9153 },
  'channel-shopify': { grpcPort: 50061, httpPort: 9161 },
  'channel-amazon': { grpcPort: 50062, httpPort: 9162 },
} as const satisfies Record<string, ServicePorts>;

export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];

export const SANDBOX_PORTS = { erp: 7000, shopify: 7001, amazon: 7002 } as const;
export const SANDBOX_NAMES = Object.keys(SANDBOX_PORTS) as SandboxName[];
export type SandboxName = keyof typeof SANDBOX_PORTS;

/**
 * Where a shifted mesh's gRPC servers listen: below Linux's ephemeral range (32768-60999). The
 * default gRPC ports (50051...) lie inside it, and on a test machine that opens thousands of
 * outgoing connections an outgoing socket can hold that port as its local port when a service
 * starts (bind fails with EADDRINUSE). In a pod the defaults are safe: nothing else runs there.
 */
const SHIFTED_GRPC_PORT_DELTA = -30_000;

/**
 * Offsets every default port, so a test run can start a second mesh beside a running one.
 * Offset 0 is the layout of ARCHITECTURE §10; any other offset also moves the gRPC ports
 * out of the ephemeral range.
 */
export function shiftedPorts(offset: number): { services: Record<ServiceName, ServicePorts>; sandboxes: Record<SandboxName, number> } {
  const grpcDelta = offset === 0 ? 0 : offset + SHIFTED_GRPC_PORT_DELTA;
  const services = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      { grpcPort: SERVICE_PORTS[name].grpcPort + grpcDelta, httpPort: SERVICE_PORTS[name].httpPort + offset },
    ]),
  ) as Record<ServiceName, ServicePorts>;
  const sandboxes = Object.fromEntries(SANDBOX_NAMES.map((name) => [name, SANDBOX_PORTS[name] + offset])) as Record<SandboxName, number>;
  return { services, sandboxes };
}
