// One short-lived SP-API access token (an LWA access token or a Restricted Data Token), cached
// until shortly before it expires and shared by concurrent callers; `invalidate` drops it after
// the SP-API refused it (403: expired early or revoked), so the next caller fetches a fresh one.

// Refresh this long before the token expires (at most a tenth of its life), so a request never races the expiry.
const EXPIRY_MARGIN_MS = 60_000;

export interface FetchedToken {
  value: string;
  lifetimeSeconds: number;
}

/** Where a request gets the value of its `x-amz-access-token` header. */
export interface AccessTokenSource {
  token(): Promise<string>;
  invalidate(token: string): void;
}

export class AccessTokenCache implements AccessTokenSource {
  private cached: { value: string; refreshAtMs: number } | undefined;
  private pending: Promise<string> | undefined;
  /** Tokens fetched so far (for status and tests). */
  fetched = 0;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAtMs) return this.cached.value;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` if it is the cached one. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    const { value, lifetimeSeconds } = await this.fetchToken();
    const lifetimeMs = lifetimeSeconds * 1000;
    this.cached = { value, refreshAtMs: this.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10) };
    this.fetched += 1;
    return value;
  }
}
