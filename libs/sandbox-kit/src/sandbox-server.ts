// The HTTP server every sandbox runs on: reads the request, serves the shared admin routes
// (`/_sandbox/health|reset|faults|requests`), applies injected faults, logs what it received and
// hands everything else to the sandbox's own router.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector, parseFaultRules, type FaultRule, type FaultType } from './faults.js';
import { jsonResponse, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http-types.js';
import { loggableBody, loggableHeaders, RequestLog } from './request-log.js';
import { Router } from './router.js';

export const ADMIN_PREFIX = '/_sandbox';

/** What a concrete sandbox supplies: its routes and the error bodies of the system it imitates. */
export interface SandboxDefinition {
  name: string;
  /** The imitated API and the sandbox's own `/_sandbox/...` seeding and inspection routes. */
  router: Router;
  /** Back to the state the sandbox started with. */
  reset(): void;
  /** Operation names a request carries (GraphQL), for faults scoped with `operation`. */
  describeOperations?(request: SandboxRequest): string[];
  rateLimitResponse(rule: FaultRule, request: SandboxRequest): SandboxResponse;
  serverErrorResponse(status: number, request: SandboxRequest): SandboxResponse;
  notFoundResponse(request: SandboxRequest): SandboxResponse;
}

export interface SandboxServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Size of the request log ring buffer (default 1000). */
  requestLogCapacity?: number;
  /** Clock for time-bound faults (`durationMs`); tests may pass a fake one. */
  now?: () => number;
}

export interface RunningSandbox {
  /** `http://host:port`, no trailing slash. */
  url: string;
  host: string;
  port: number;
  faults: FaultInjector;
  requests: RequestLog;
  close(): Promise<void>;
}

export async function startSandboxServer(definition: SandboxDefinition, options: SandboxServerOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const faults = new FaultInjector(options.now);
  const requests = new RequestLog(options.requestLogCapacity);
  const closing = new AbortController();
  const heldSockets = new Set<NodeJS.Timeout>();
  const adminRouter = buildAdminRouter(definition, faults, requests);

  async function dispatch(request: SandboxRequest, router: Router, notFound: SandboxResponse): Promise<SandboxResponse> {
    const match = router.match(request.method, request.path);
    if (!match) return notFound;
    try {
      return await match.handler({ ...request, params: match.params });
    } catch (error) {
      console.error(`[sandbox-${definition.name}] ${request.method} ${request.path} failed`, error);
      return definition.serverErrorResponse(500, request);
    }
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const rawBody = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://sandbox.invalid');
    const request: SandboxRequest = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      rawBody,
      params: {},
    };

    if (request.path === ADMIN_PREFIX || request.path.startsWith(`${ADMIN_PREFIX}/`)) {
      const router = adminRouter.match(request.method, request.path) ? adminRouter : definition.router;
      return send(
        outgoing,
        await dispatch(request, router, jsonResponse(404, { error: `no admin route ${request.method} ${request.path}` })),
      );
    }

    const log = (status: number | null, fault?: FaultType) =>
      requests.add({
        time: new Date(startedAt).toISOString(),
        method: request.method,
        path: request.path,
        query: url.search.replace(/^\?/, ''),
        headers: loggableHeaders(request.headers),
        body: loggableBody(rawBody),
        status,
        fault,
        durationMs: Date.now() - startedAt,
      });
    const apiRequest = () => dispatch(request, definition.router, definition.notFoundResponse(request));

    const decision = faults.take({
      method: request.method,
      path: request.path,
      operations: definition.describeOperations?.(request) ?? [],
    });
    if (decision.latencyMs > 0) {
      const slept = await sleep(decision.latencyMs, true, { signal: closing.signal }).catch(() => false);
      if (!slept) return;
    }
    const rule = decision.terminal;
    switch (rule?.type) {
      case 'rateLimit': {
        const response = definition.rateLimitResponse(rule, request);
        log(response.status, rule.type);
        return send(outgoing, response);
      }
      case 'serverError': {
        const response = definition.serverErrorResponse(rule.status ?? 500, request);
        log(response.status, rule.type);
        return send(outgoing, response);
      }
      case 'malformed': {
        const response = await apiRequest();
        log(200, rule.type);
        return send(outgoing, truncated(response));
      }
      case 'drop': {
        if (rule.afterEffect) await apiRequest();
        log(null, rule.type);
        incoming.socket.destroy();
        return;
      }
      case 'timeout': {
        if (rule.afterEffect) await apiRequest();
        log(null, rule.type);
        // No answer: the client waits until it gives up, or the socket is cut after closeAfterMs.
        if (rule.closeAfterMs !== undefined) {
          const timer = setTimeout(() => incoming.socket.destroy(), rule.closeAfterMs);
          heldSockets.add(timer);
          incoming.socket.once('close', () => {
            clearTimeout(timer);
            heldSockets.delete(timer);
          });
        }
        return;
      }
      default: {
        const response = await apiRequest();
        log(response.status);
        return send(outgoing, response);
      }
    }
  }

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      // The client went away while we were reading or writing: nothing left to answer.
      if (!outgoing.headersSent && !outgoing.destroyed) send(outgoing, definition.serverErrorResponse(500, emptyRequest()));
      if ((error as NodeJS.ErrnoException)?.code !== 'ECONNRESET') console.error(`[sandbox-${definition.name}]`, error);
    });
  });
  server.listen(options.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    faults,
    requests,
    close: async () => {
      closing.abort();
      for (const timer of heldSockets) clearTimeout(timer);
      heldSockets.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function buildAdminRouter(definition: SandboxDefinition, faults: FaultInjector, requests: RequestLog): Router {
  return new Router()
    .add('GET', `${ADMIN_PREFIX}/health`, () => jsonResponse(200, { status: 'ok', sandbox: definition.name }))
    .add('POST', `${ADMIN_PREFIX}/reset`, () => {
      definition.reset();
      faults.clear();
      requests.clear();
      return jsonResponse(200, { status: 'reset', sandbox: definition.name });
    })
    .add('GET', `${ADMIN_PREFIX}/faults`, () => jsonResponse(200, { faults: faults.list() }))
    .add('DELETE', `${ADMIN_PREFIX}/faults`, () => {
      faults.clear();
      return jsonResponse(200, { faults: [] });
    })
    .add('POST', `${ADMIN_PREFIX}/faults`, (request) => {
      const body = parseJsonBody(request);
      if (!body.ok) return jsonResponse(400, { error: `body is not JSON: ${body.error}` });
      const parsed = parseFaultRules(body.value);
      if (!parsed.ok) return jsonResponse(400, { error: parsed.error });
      faults.set(parsed.rules);
      return jsonResponse(200, { faults: faults.list() });
    })
    .add('GET', `${ADMIN_PREFIX}/requests`, (request) => {
      const limitParam = request.query.get('limit');
      const limit = limitParam === null ? undefined : Number(limitParam);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
        return jsonResponse(400, { error: 'limit must be a non-negative integer' });
      const filter = { limit, path: request.query.get('path') ?? undefined, method: request.query.get('method') ?? undefined };
      return jsonResponse(200, { requests: requests.list(filter) });
    })
    .add('DELETE', `${ADMIN_PREFIX}/requests`, () => {
      requests.clear();
      return jsonResponse(200, { requests: [] });
    });
}

/** A 200 whose JSON body stops half-way, as a broken proxy or a cut stream would deliver it. */
function truncated(response: SandboxResponse): SandboxResponse {
  const full = response.text ?? JSON.stringify(response.body ?? {});
  const text = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
  return { status: 200, headers: { ...response.headers, 'content-type': 'application/json; charset=utf-8' }, text };
}

function send(outgoing: ServerResponse, response: SandboxResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  let payload: string | undefined;
  if (response.text !== undefined) payload = response.text;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  outgoing.writeHead(response.status, headers);
  outgoing.end(payload);
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function emptyRequest(): SandboxRequest {
  return { method: 'GET', path: '/', query: new URLSearchParams(), headers: {}, rawBody: '', params: {} };
}
