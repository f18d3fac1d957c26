// The three operational routes every service serves on its HTTP port: `/metrics` (Prometheus
// text), `/healthz` (the process is alive: always 200 while it can answer) and `/readyz`
// (200 when every readiness check passes, else 503 naming the failed checks). A plain Node
// request handler, so it mounts in Express (`app.use(handler)`) or runs on its own server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { Readiness } from './readiness.js';

export interface ObservabilityEndpoints {
  metrics: ServiceMetrics;
  readiness: Readiness;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, next?: () => void) => void;

export function observabilityRequestHandler(endpoints: ObservabilityEndpoints): RequestHandler {
  return (request, response, next) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = request.method === 'GET' || request.method === 'HEAD' ? routes[path] : undefined;
    if (!route) {
      if (next) return next();
      return sendJson(response, 404, { error: `no route ${request.method} ${path}` });
    }
    route(endpoints, response).catch((error: unknown) => {
      sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  };
}

const routes: Record<string, (endpoints: ObservabilityEndpoints, response: ServerResponse) => Promise<void>> = {
  '/metrics': async ({ metrics }, response) => {
    const body = await metrics.render();
    response.writeHead(200, { 'content-type': metrics.contentType });
    response.end(body);
  },
  '/healthz': async (_endpoints, response) => {
    sendJson(response, 200, { status: 'ok' });
  },
  '/readyz': async ({ readiness }, response) => {
    const report = await readiness.evaluate();
    const failed = report.checks.filter((check) => !check.ok).map((check) => check.name);
    sendJson(response, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not_ready', failed, checks: report.checks });
  },
};

/** Answers with `body` as JSON (and any `headers` given, e.g. Allow or Connection). */
export function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export interface ObservabilityServer {
  url: string;
  close(): Promise<void>;
}

/** The routes on a server of their own, for processes that have no HTTP app (0 = a free port). */
export async function startObservabilityServer(
  endpoints: ObservabilityEndpoints,
  port: number,
  host = '0.0.0.0',
): Promise<ObservabilityServer> {
  const server = createServer(observabilityRequestHandler(endpoints));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
