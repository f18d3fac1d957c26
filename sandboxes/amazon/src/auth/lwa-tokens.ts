// Login with Amazon as the SP-API uses it: an application (client id + secret) trades a selling
// partner's refresh token for an access token (`Atza|…`, one hour) at POST /auth/o2/token, and
// sends it in `x-amz-access-token` on every SP-API call. The sandbox issues opaque random tokens
// and remembers which seller each belongs to and when it expires.
import { randomBytes } from 'node:crypto';

/** A selling partner account the sandbox hosts, with the application credentials that may act for it. */
export interface AmazonSeller {
  sellerId: string;
  marketplaceIds: string[];
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export const DEFAULT_AMAZON_SELLER: AmazonSeller = {
  sellerId: 'A2RMSANDBOXUS',
  marketplaceIds: ['ATVPDKIKX0DER'],
  clientId: 'amzn1.application-oa2-client.retailmeshsandbox',
  clientSecret: 'amzn1.oa2-cs.v1.retail-mesh-sandbox-secret',
  refreshToken: 'Atzr|retail-mesh-sandbox-refresh-token',
};

export interface LwaTokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export type LwaResult = { ok: true; token: LwaTokenResponse } | { ok: false; status: number; error: string; description: string };

export type TokenCheck = { ok: true; sellerId: string } | { ok: false; expired: boolean };

interface IssuedToken {
  sellerId: string;
  expiresAt: number;
}

export class LwaTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Tokens issued per seller, for tests of the adapter's caching. */
  private readonly issuedCount = new Map<string, number>();

  constructor(
    private readonly sellers: () => readonly AmazonSeller[],
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  clear(): void {
    this.tokens.clear();
    this.issuedCount.clear();
  }

  issue(form: URLSearchParams): LwaResult {
    const grantType = form.get('grant_type');
    const fail = (status: number, error: string, description: string): LwaResult => ({ ok: false, status, error, description });
    if (grantType === null) return fail(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grantType !== 'refresh_token') return fail(400, 'unsupported_grant_type', 'The authorization grant type is not supported');
    const clientId = form.get('client_id');
    const refreshToken = form.get('refresh_token');
    if (clientId === null || clientId === '')
      return fail(400, 'invalid_request', 'The request is missing a required parameter : client_id');
    if (refreshToken === null || refreshToken === '')
      return fail(400, 'invalid_request', 'The request is missing a required parameter : refresh_token');
    const clients = this.sellers().filter((seller) => seller.clientId === clientId);
    if (clients.length === 0 || !clients.some((seller) => seller.clientSecret === form.get('client_secret'))) {
      return fail(401, 'invalid_client', 'Client authentication failed');
    }
    const seller = clients.find(
      (candidate) => candidate.refreshToken === refreshToken && candidate.clientSecret === form.get('client_secret'),
    );
    if (!seller) return fail(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
    const accessToken = `Atza|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, { sellerId: seller.sellerId, expiresAt: this.now() + this.ttlSeconds * 1000 });
    this.issuedCount.set(seller.sellerId, (this.issuedCount.get(seller.sellerId) ?? 0) + 1);
    return {
      ok: true,
      token: { access_token: accessToken, refresh_token: refreshToken, token_type: 'bearer', expires_in: this.ttlSeconds },
    };
  }

  check(accessToken: string | undefined): TokenCheck {
    const issued = accessToken === undefined ? undefined : this.tokens.get(accessToken);
    if (!issued) return { ok: false, expired: false };
    if (issued.expiresAt <= this.now()) return { ok: false, expired: true };
    return { ok: true, sellerId: issued.sellerId };
  }

  /** Every token issued so far expires now (to test the adapter's refresh after a 403). */
  expireAll(): void {
    const now = this.now();
    for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }

  issued(sellerId: string): number {
    return this.issuedCount.get(sellerId) ?? 0;
  }
}
