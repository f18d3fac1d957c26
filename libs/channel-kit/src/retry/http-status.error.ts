import { parseRetryAfter } from './retry-after.js';

export interface HttpStatusErrorInit {
  status: number;
  /** Response headers; names are stored lower-case. */
  headers?: Record<string, string>;
  body?: string;
  method?: string;
  url?: string;
  message?: string;
}

const bodyExcerptLength = 300;

/** A non-success HTTP response from a channel API, thrown by adapters so that retry and error mapping can look at it. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly method?: string;
  readonly url?: string;

  constructor(init: HttpStatusErrorInit) {
    const target = [init.method, init.url].filter(Boolean).join(' ');
    const body = init.body ?? '';
    const excerpt = body.length > bodyExcerptLength ? `${body.slice(0, bodyExcerptLength)}…` : body;
    super(init.message ?? `HTTP ${init.status}${target ? ` from ${target}` : ''}${excerpt ? `: ${excerpt}` : ''}`);
    this.status = init.status;
    this.headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    this.body = body;
    this.method = init.method;
    this.url = init.url;
  }

  /** Reads the body of a fetch `Response` (consuming it) into an error. */
  static async fromResponse(response: Response, method?: string): Promise<HttpStatusError> {
    const body = await response.text().catch(() => '');
    return new HttpStatusError({
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body,
      method,
      url: response.url || undefined,
    });
  }

  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** The server's `Retry-After`, in milliseconds, if it sent a valid one. */
  retryAfterMs(nowMs: number = Date.now()): number | undefined {
    return parseRetryAfter(this.header('retry-after'), nowMs);
  }
}
