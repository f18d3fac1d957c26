// The request/response shapes every sandbox route works with: plain data, so handlers are easy
// to read and to test, and the server module owns all the socket handling.
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
  method: string;
  /** URL path without the query string, as received (not decoded). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Values of the `:name` segments of the matched route, URI-decoded. */
  params: Record<string, string>;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON (with `Content-Type: application/json`) unless `text` is given. */
  body?: unknown;
  /** A raw body sent as-is, for the rare route that must not answer JSON. */
  text?: string;
}

export type RouteHandler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): SandboxResponse {
  return { status, body, headers };
}

export function noContent(headers?: Record<string, string>): SandboxResponse {
  return { status: 204, headers };
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses the body as JSON; an empty body parses to `undefined`. */
export function parseJsonBody(request: SandboxRequest): JsonParseResult {
  if (request.rawBody.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(request.rawBody) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function headerValue(request: SandboxRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The absolute base URL the client used, so `Location` headers and links point back at this server. */
export function baseUrlOf(request: SandboxRequest): string {
  return `http://${headerValue(request, 'host') ?? 'localhost'}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
