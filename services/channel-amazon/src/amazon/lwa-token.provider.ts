import { HttpStatusError, isTransientError, retryWithBackoff } from '@retail-mesh/channel-kit';
import { SpApiError } from './sp-api.error.js';

// Login with Amazon access tokens of one selling partner: the refresh token is traded at the LWA
// endpoint for a one-hour access token, cached until shortly before it expires and shared by
// concurrent callers; `invalidate` drops it after the SP-API refused it (403), so the next call
// fetches a fresh one.

export const DEFAULT_LWA_ENDPOINT = 'https://api.amazon.com/auth/o2/token';
// Refresh this long before LWA says the token expires, so a request never races the expiry.
const EXPIRY_MARGIN_MS = 60_000;

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

export class LwaTokenProvider {
  private cached: { value: string; refreshAtMs: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  /** Tokens fetched from LWA so far (for status and tests). */
  fetched = 0;

  constructor(private readonly options: LwaTokenProviderOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAtMs) return this.cached.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` if it is the cached one (refused by the SP-API: expired early or revoked). */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
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
    const lifetimeMs = lifetimeSeconds * 1000;
    this.cached = { value, refreshAtMs: this.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10) };
    this.fetched += 1;
    return value;
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
