// What `npm start` / `npm run distributed` print: where everything listens.
import type { MeshLayout } from './mesh-environment.js';
import { SANDBOX_NAMES, SERVICE_NAMES } from './topology.js';

export function listeningReport(mode: string, layout: MeshLayout, extra: string[] = []): string {
  const lines = [`retail-mesh is running (${mode} mode)`, '', 'services            gRPC              HTTP (/metrics /healthz /readyz)'];
  for (const name of SERVICE_NAMES) {
    const ports = layout.services[name];
    lines.push(`  ${name.padEnd(18)}127.0.0.1:${String(ports.grpcPort).padEnd(8)}http://127.0.0.1:${ports.httpPort}`);
  }
  lines.push('', 'sandboxes (admin routes under /_sandbox/)');
  for (const name of SANDBOX_NAMES) lines.push(`  ${name.padEnd(18)}${layout.sandboxUrls[name]}`);
  lines.push(...extra);
  return lines.join('\n');
}
