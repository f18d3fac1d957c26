// What a sandbox received, for tests to assert on (`GET /_sandbox/requests`). A bounded ring
// buffer: a long benchmark run must not grow the sandbox's memory without limit.
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultType } from './faults.js';

export interface LoggedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** The query string without the leading `?` ('' when none). */
  query: string;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, null when empty. */
  body: unknown;
  /** The status sent, or null when no answer was sent (timeout, dropped connection). */
  status: number | null;
  fault?: FaultType;
  durationMs: number;
}

export interface RequestLogFilter {
  limit?: number;
  /** Path prefix. */
  path?: string;
  method?: string;
}

// Transport-level headers say nothing about what the client meant to send.
const OMITTED_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'keep-alive', 'transfer-encoding']);

export function loggableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || OMITTED_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export function loggableBody(rawBody: string): unknown {
  if (rawBody === '') return null;
  try {
    return JSON.parse(rawBody);
  } catch {
    return rawBody;
  }
}

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private nextSeq = 1;

  constructor(private readonly capacity = 1000) {}

  add(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const logged = { seq: this.nextSeq++, ...entry };
    this.entries.push(logged);
    if (this.entries.length > this.capacity) this.entries.shift();
    return logged;
  }

  /** Oldest first, newest last; `limit` keeps the newest. */
  list(filter: RequestLogFilter = {}): LoggedRequest[] {
    const selected = this.entries.filter(
      (entry) =>
        (filter.path === undefined || entry.path.startsWith(filter.path)) &&
        (filter.method === undefined || entry.method === filter.method.toUpperCase()),
    );
    return filter.limit === undefined ? selected : selected.slice(Math.max(0, selected.length - filter.limit));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
