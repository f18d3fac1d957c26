// The Amazon selling partner accounts (channel accounts) this adapter serves, as configured in
// AMAZON_ACCOUNTS. One process serves them all; each has its own LWA credentials, SP-API
// endpoint (region), marketplaces and rate-limit buckets, and every row is keyed by its
// channel_account_id.
import { DEFAULT_LWA_ENDPOINT } from '../amazon/lwa-token.provider.js';

export interface AmazonAccount {
  channelAccountId: string;
  /** The selling partner id (merchant token), e.g. `A2RMSANDBOXUS`: Listings paths and feed headers name it. */
  sellerId: string;
  /** Marketplaces polled and pushed, e.g. `["ATVPDKIKX0DER"]` (US); the first one is used for shipment confirmations. */
  marketplaceIds: string[];
  /** `https://sellingpartnerapi-na.amazon.com` (or -eu, -fe), or the sandbox's `http://127.0.0.1:7002`. */
  spApiEndpoint: string;
  /** LWA token endpoint; default `https://api.amazon.com/auth/o2/token`. */
  lwaEndpoint: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SELLER_ID = /^[A-Z0-9]{6,20}$/;

export type AmazonAccountsParseResult = { ok: true; accounts: AmazonAccount[] } | { ok: false; error: string };

/** Validates AMAZON_ACCOUNTS. Errors name the entry and field but never echo a secret. */
export function parseAmazonAccounts(raw: string): AmazonAccountsParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // JSON.parse's message quotes the input, which holds secrets.
    return { ok: false, error: 'is not valid JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'must be a JSON array of accounts' };
  const accounts: AmazonAccount[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of value.entries()) {
    const result = parseAccount(entry);
    if (typeof result === 'string') return { ok: false, error: `entry ${index}: ${result}` };
    if (seen.has(result.channelAccountId))
      return { ok: false, error: `entry ${index}: channelAccountId "${result.channelAccountId}" appears twice` };
    seen.add(result.channelAccountId);
    accounts.push(result);
  }
  return { ok: true, accounts };
}

function parseAccount(entry: unknown): AmazonAccount | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'must be an object';
  const { channelAccountId, sellerId, marketplaceIds, spApiEndpoint, lwaEndpoint, clientId, clientSecret, refreshToken } = entry as Record<
    string,
    unknown
  >;
  if (typeof channelAccountId !== 'string' || !ACCOUNT_ID.test(channelAccountId))
    return 'channelAccountId must be 1-100 characters: letters, digits and . _ : -';
  if (typeof sellerId !== 'string' || !SELLER_ID.test(sellerId))
    return 'sellerId must be the selling partner id (6-20 upper-case letters and digits)';
  if (
    !Array.isArray(marketplaceIds) ||
    marketplaceIds.length === 0 ||
    marketplaceIds.some((id) => typeof id !== 'string' || !/^[A-Z0-9]{5,20}$/.test(id))
  ) {
    return 'marketplaceIds must be a non-empty array of marketplace ids such as "ATVPDKIKX0DER"';
  }
  if (typeof spApiEndpoint !== 'string' || !isHttpUrl(spApiEndpoint)) return 'spApiEndpoint must be an http(s) URL';
  if (lwaEndpoint !== undefined && (typeof lwaEndpoint !== 'string' || !isHttpUrl(lwaEndpoint)))
    return 'lwaEndpoint must be an http(s) URL';
  for (const [name, field] of Object.entries({ clientId, clientSecret, refreshToken })) {
    if (typeof field !== 'string' || field.trim() === '') return `${name} must be a non-empty string`;
  }
  return {
    channelAccountId,
    sellerId,
    marketplaceIds: marketplaceIds as string[],
    spApiEndpoint: spApiEndpoint.replace(/\/+$/, ''),
    lwaEndpoint: (lwaEndpoint as string | undefined) ?? DEFAULT_LWA_ENDPOINT,
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    refreshToken: refreshToken as string,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
