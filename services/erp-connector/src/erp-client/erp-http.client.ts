import {
  ConcurrencyLimit,
  HttpStatusError,
  isTransientError,
  keepAliveFetch,
  type RetryEvent,
  retryWithBackoff,
} from '@retail-mesh/channel-kit';

// Authenticated JSON calls to the ERP (NetSuite's REST surface): OAuth 2.0 client credentials,
// the bearer token cached until shortly before it expires and fetched again after a 401, and
// transient failures (429, 5xx, timeouts, dropped connections, truncated bodies) retried with
// backoff. A failure that outlasts the retries is thrown; callers never treat it as "no data".
// At most `maxConcurrentRequests` requests are out at once (the connector's share of the ERP
// account's concurrency limit); the others wait their turn within their attempt's timeout.

export const ERP_TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
const TOKEN_SCOPES = 'restlets rest_webservices';
// Refresh this long before the ERP says the token expires, so a request never races the expiry.
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface ErpHttpClientOptions {
  /** e.g. `https://123456.suitetalk.api.netsuite.com`, or the sandbox's `http://127.0.0.1:7000`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per attempt, the wait for a free place under `maxConcurrentRequests` included. */
  requestTimeoutMs: number;
  /** Requests out at once at most (NetSuite governs concurrent requests per account). */
  maxConcurrentRequests: number;
  /** Attempts after the first for a transient failure. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (event: RetryEvent) => void;
  /** Injectable for tests; default channel-kit's keepAliveFetch and the clock. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** A 200 answer whose body is not the JSON the ERP promises (truncated, HTML error page, wrong shape). */
export class ErpMalformedResponseError extends Error {
  override readonly name = 'ErpMalformedResponseError';
}

/**
 * True for failures a later attempt can get past. Besides the usual transient statuses: RESTlets
 * answer a concurrency-limit violation with 400 SSS_REQUEST_LIMIT_EXCEEDED rather than 429, and a
 * malformed body is a broken answer, not a broken request.
 */
export function isErpTransientError(error: unknown): boolean {
  if (error instanceof ErpMalformedResponseError) return true;
  if (error instanceof HttpStatusError && error.status === 400 && error.body.includes('SSS_REQUEST_LIMIT_EXCEEDED')) return true;
  return isTransientError(error);
}

export interface ErpRequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Retries of a transient failure; default the client's. */
  retries?: number;
  signal?: AbortSignal;
}

export interface ErpResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined for an empty one (NetSuite's 204 after a write). */
  body: unknown;
}

interface CachedToken {
  value: string;
  refreshAtMs: number;
}

export class ErpHttpClient {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly places: ConcurrencyLimit;
  private token: CachedToken | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(private readonly options: ErpHttpClientOptions) {
    this.fetch = options.fetch ?? keepAliveFetch;
    this.now = options.now ?? Date.now;
    this.places = new ConcurrencyLimit(options.maxConcurrentRequests);
  }

  /** Requests waiting for a free place (the ERP's concurrency share is in use). */
  get requestsWaiting(): number {
    return this.places.waiting;
  }

  /**
   * GET `pathAndQuery` (starting with `/`) and parse the JSON body, retrying transient failures.
   * Aborting `signal` (shutdown) ends the request and any wait between attempts.
   */
  async getJson(pathAndQuery: string, signal?: AbortSignal): Promise<unknown> {
    return (await this.request('GET', pathAndQuery, { signal })).body;
  }

  /**
   * One authenticated call: JSON body in (when given) and out (when the answer has one). A
   * non-2xx answer is thrown as HttpStatusError, after one fresh token for a 401. Transient
   * failures are retried `retries` times (default: the client's); pass 0 for a write that is not
   * safe to repeat.
   */
  async request(method: string, pathAndQuery: string, options: ErpRequestOptions = {}): Promise<ErpResponse> {
    return retryWithBackoff(() => this.requestOnce(method, pathAndQuery, options), {
      retries: options.retries ?? this.options.retries,
      baseDelayMs: this.options.baseDelayMs,
      maxDelayMs: this.options.maxDelayMs,
      isRetryable: isErpTransientError,
      onRetry: this.options.onRetry,
      signal: options.signal,
    });
  }

  private async requestOnce(method: string, pathAndQuery: string, options: ErpRequestOptions): Promise<ErpResponse> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    return this.places.run(() => this.exchange(method, pathAndQuery, options, signal), signal);
  }

  private async exchange(method: string, pathAndQuery: string, options: ErpRequestOptions, signal: AbortSignal): Promise<ErpResponse> {
    const url = `${this.options.baseUrl}${pathAndQuery}`;
    let token = await this.accessToken();
    let response = await this.send(method, url, token, options, signal);
    if (response.status === 401) {
      // Expired early, revoked or rotated: one more try with a fresh token before giving up.
      await response.body?.cancel();
      this.forgetToken(token);
      token = await this.accessToken();
      response = await this.send(method, url, token, options, signal);
    }
    if (!response.ok) throw await HttpStatusError.fromResponse(response, method);
    const text = await response.text();
    if (text === '') return { status: response.status, headers: response.headers, body: undefined };
    return { status: response.status, headers: response.headers, body: parseJson(text, `${method} ${pathAndQuery}`, response.status) };
  }

  private send(method: string, url: string, token: string, options: ErpRequestOptions, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return this.fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal,
    });
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAtMs) return this.token.value;
    // Concurrent callers share one token request.
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private forgetToken(token: string): void {
    if (this.token?.value === token) this.token = undefined;
  }

  private async requestToken(): Promise<string> {
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const response = await this.fetch(`${this.options.baseUrl}${ERP_TOKEN_PATH}`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: TOKEN_SCOPES }).toString(),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
    });
    if (!response.ok) throw await HttpStatusError.fromResponse(response, 'POST');
    const body = parseJson(await response.text(), `POST ${ERP_TOKEN_PATH}`, response.status);
    const { access_token: value, expires_in: expiresIn } = (body ?? {}) as Record<string, unknown>;
    // NetSuite sends expires_in as a string ("3600").
    const lifetimeSeconds = Number(expiresIn);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new ErpMalformedResponseError(`token response lacks access_token or a positive expires_in`);
    }
    const lifetimeMs = lifetimeSeconds * 1000;
    const margin = Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 10);
    this.token = { value, refreshAtMs: this.now() + lifetimeMs - margin };
    return value;
  }
}

function parseJson(text: string, what: string, status: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ErpMalformedResponseError(`${what} answered ${status} with a body that is not JSON (${text.length} bytes)`);
  }
}
