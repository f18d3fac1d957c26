import { HttpStatusError, isTransientError, keepAliveFetch, retryWithBackoff } from '@retail-mesh/channel-kit';
import { AccessTokenCache, type AccessTokenSource, type FetchedToken } from './access-token.cache.js';
import { SpApiError } from './sp-api.error.js';

// Login with Amazon access tokens of one selling partner: the refresh token is traded at the LWA
// endpoint for a one-hour access token, cached until shortly before it expires and shared by
// concurrent callers; `invalidate` drops it after the SP-API refused it (403), so the next call
// fetches a fresh one.

export const DEFAULT_LWA_ENDPOINT = 'https://api.amazon.com/auth/o2/token';

export interface LwaCredentials {
  /** `https://api.amazon.com/auth/o2/token` (NA), `…amazon.co.uk…` (EU), or the sandbox's. */
  endpoint: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface LwaTokenProviderOptions extends LwaCredentials {
  requestTimeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
}

export class LwaTokenProvider implements AccessTokenSource {
  private readonly cache: AccessTokenCache;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: LwaTokenProviderOptions) {
    this.fetchFn = options.fetch ?? keepAliveFetch;
    this.cache = new AccessTokenCache(() => this.fetchToken(), options.now);
  }

  /** Tokens fetched from LWA so far (for status and tests). */
  get fetched(): number {
    return this.cache.fetched;
  }

  token(): Promise<string> {
    return this.cache.token();
  }

  /** Forgets `token` if it is the cached one (refused by the SP-API: expired early or revoked). */
  invalidate(token: string): void {
    this.cache.invalidate(token);
  }

  private async fetchToken(): Promise<FetchedToken> {
    const body = await retryWithBackoff(() => this.requestOnce(), {
      retries: this.options.retries ?? 3,
      baseDelayMs: this.options.baseDelayMs ?? 500,
      maxDelayMs: 10_000,
      isRetryable: (error) => (error instanceof SpApiError ? error.retryable : isTransientError(error)),
      signal: this.options.signal,
    });
    const { access_token: value, expires_in: expiresIn } = body as { access_token?: unknown; expires_in?: unknown };
    const lifetimeSeconds = Number(expiresIn);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new SpApiError({
        kind: 'lwa_error',
        operation: 'lwaToken',
        message: 'LWA answered without access_token or expires_in',
        retryable: false,
      });
    }
    return { value, lifetimeSeconds };
  }

  private async requestOnce(): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000);
    const response = await this.fetchFn(this.options.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: this.options.refreshToken,
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
      }).toString(),
      signal: this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout,
    });
    if (response.status === 429 || response.status >= 500) throw await HttpStatusError.fromResponse(response, 'POST');
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SpApiError({
        kind: 'lwa_error',
        operation: 'lwaToken',
        status: response.status,
        message: 'LWA answered a body that is not JSON',
        retryable: true,
      });
    }
    if (!response.ok) {
      // {"error":"invalid_client","error_description":"…"}: the credentials are wrong; retrying cannot help.
      const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
      throw new SpApiError({
        kind: 'lwa_error',
        operation: 'lwaToken',
        status: response.status,
        message: `LWA refused the refresh token: ${String(error)} (${String(description)})`,
        retryable: false,
      });
    }
    return body;
  }
}
