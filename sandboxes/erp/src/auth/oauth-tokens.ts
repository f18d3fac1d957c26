// NetSuite's OAuth 2.0 client credentials (machine-to-machine) flow: the client posts a signed JWT
// assertion to /services/rest/auth/oauth2/v1/token and gets a 60-minute bearer token
// (docs.oracle.com … section_162755359851). The sandbox checks the assertion's claims but not its
// signature (it has no certificate store); for convenience it also accepts client_id/client_secret
// (HTTP Basic or form fields, RFC 6749 §2.3.1).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface OAuthClient {
  clientId: string;
  /** Needed only for the client_id/client_secret variant; assertions identify the client by `iss`. */
  clientSecret?: string;
}

export const DEFAULT_ERP_CLIENT: Required<OAuthClient> = { clientId: 'retail-mesh-sandbox', clientSecret: 'retail-mesh-sandbox-secret' };
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';

const ALLOWED_SCOPES = ['rest_webservices', 'restlets', 'suite_analytics'];
const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

export interface TokenResponse {
  access_token: string;
  /** NetSuite sends the lifetime as a string ("3600"); clients must not assume a number. */
  expires_in: string;
  token_type: 'Bearer';
}

export type TokenRequestResult = { ok: true; token: TokenResponse } | { ok: false; status: number; error: string; description: string };

interface TokenClaims {
  sub: string;
  aud: string;
  scope: string[];
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  /** Revocation generation: `revokeAll()` invalidates every token of an older generation. */
  gen: number;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function scopesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[ ,]+/).filter((scope) => scope !== '');
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

function fail(status: number, error: string, description: string): TokenRequestResult {
  return { ok: false, status, error, description };
}

export class OAuthTokens {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly signingKey = randomBytes(32);
  private generation = 0;

  constructor(
    private readonly initialClients: readonly OAuthClient[],
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number,
  ) {
    this.resetClients();
  }

  resetClients(): void {
    this.clients.clear();
    for (const client of this.initialClients) this.clients.set(client.clientId, client);
  }

  registerClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client);
  }

  listClients(): OAuthClient[] {
    return [...this.clients.values()];
  }

  /** Every token issued so far stops working (what a revoked integration or a rotated key looks like). */
  revokeAll(): void {
    this.generation += 1;
  }

  issue(form: URLSearchParams, authorizationHeader: string | undefined): TokenRequestResult {
    const grantType = form.get('grant_type');
    if (grantType === null) return fail(400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') return fail(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);

    const identified =
      form.has('client_assertion') || form.has('client_assertion_type')
        ? this.fromAssertion(form)
        : this.fromSecret(form, authorizationHeader);
    if ('ok' in identified) return identified;
    return { ok: true, token: this.sign(identified.clientId, identified.scopes) };
  }

  /** True when the `Authorization: Bearer …` header carries a live token of this sandbox. */
  verify(authorizationHeader: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorizationHeader ?? '');
    if (!match) return false;
    const [header, payload, signature] = match[1].split('.');
    if (!header || !payload || !signature) return false;
    const expected = Buffer.from(this.signature(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return false;
    const claims = decodeJwtPayload(match[1]) as TokenClaims | undefined;
    if (!claims) return false;
    return claims.gen === this.generation && claims.exp > this.nowSeconds() && this.clients.has(claims.aud);
  }

  private fromAssertion(form: URLSearchParams): { clientId: string; scopes: string[] } | TokenRequestResult {
    if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
      return fail(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
    }
    const claims = decodeJwtPayload(form.get('client_assertion') ?? '');
    if (!claims) return fail(400, 'invalid_request', 'client_assertion is not a JWT');
    const { iss, aud, exp, iat } = claims;
    if (typeof iss !== 'string' || !this.clients.has(iss)) return fail(401, 'invalid_client', 'unknown client (iss)');
    if (typeof aud !== 'string' || !aud.endsWith(TOKEN_PATH))
      return fail(400, 'invalid_grant', `aud must be the token endpoint (…${TOKEN_PATH})`);
    if (typeof exp !== 'number' || typeof iat !== 'number') return fail(400, 'invalid_grant', 'exp and iat are required');
    if (exp <= this.nowSeconds()) return fail(400, 'invalid_grant', 'the assertion has expired');
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) return fail(400, 'invalid_grant', 'exp must be less than 60 minutes after iat');
    const scopes = scopesOf(claims.scope);
    if (scopes.length === 0 || scopes.some((scope) => !ALLOWED_SCOPES.includes(scope))) {
      return fail(400, 'invalid_scope', `scope must be among ${ALLOWED_SCOPES.join(', ')}`);
    }
    return { clientId: iss, scopes };
  }

  private fromSecret(
    form: URLSearchParams,
    authorizationHeader: string | undefined,
  ): { clientId: string; scopes: string[] } | TokenRequestResult {
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(authorizationHeader ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      clientId = separator < 0 ? decoded : decoded.slice(0, separator);
      clientSecret = separator < 0 ? '' : decoded.slice(separator + 1);
    }
    if (clientId === null || clientSecret === null)
      return fail(400, 'invalid_request', 'client_assertion or client credentials are required');
    const client = this.clients.get(clientId);
    if (!client || client.clientSecret === undefined || client.clientSecret !== clientSecret)
      return fail(401, 'invalid_client', 'unknown client or wrong secret');
    const requested = scopesOf(form.get('scope'));
    return { clientId, scopes: requested.length > 0 ? requested : ['rest_webservices', 'restlets'] };
  }

  private sign(clientId: string, scopes: string[]): TokenResponse {
    const iat = this.nowSeconds();
    const claims: TokenClaims = {
      sub: `sandbox;${clientId}`,
      aud: clientId,
      scope: scopes,
      iss: 'https://system.netsuite.com',
      iat,
      exp: iat + this.tokenTtlSeconds,
      jti: randomUUID(),
      gen: this.generation,
    };
    const unsigned = `${base64url(JSON.stringify({ kid: 'sandbox', typ: 'JWT', alg: 'HS256' }))}.${base64url(JSON.stringify(claims))}`;
    return { access_token: `${unsigned}.${this.signature(unsigned)}`, expires_in: String(this.tokenTtlSeconds), token_type: 'Bearer' };
  }

  private signature(unsigned: string): string {
    return createHmac('sha256', this.signingKey).update(unsigned).digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
