// The Amazon selling partner accounts (channel accounts) this adapter serves, as configured in
// AMAZON_ACCOUNTS. One process serves them all; each has its own LWA credentials, SP-API
// endpoint (region), marketplaces and rate-limit buckets, and every row is keyed by its
// channel_account_id.
import { isHttpUrl, parseAccountList, type AccountListParseResult } from '@retail-mesh/channel-kit';
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

const SELLER_ID = /^[A-Z0-9]{6,20}$/;

/** Validates AMAZON_ACCOUNTS. Errors name the entry and field but never echo a secret. */
export function parseAmazonAccounts(raw: string): AccountListParseResult<AmazonAccount> {
  return parseAccountList(raw, parseAccount);
}

function parseAccount(entry: Record<string, unknown>, channelAccountId: string): AmazonAccount | string {
  const { sellerId, marketplaceIds, spApiEndpoint, lwaEndpoint, clientId, clientSecret, refreshToken } = entry;
  if (typeof sellerId !== 'string' || !SELLER_ID.test(sellerId))
    return 'sellerId must be the selling partner id (6-20 upper-case letters and digits)';
  if (
    !Array.isArray(marketplaceIds) ||
    marketplaceIds.length === 0 ||
    marketplaceIds.some((id) => typeof id !== 'string' || !/^[A-Z0-9]{5,20}$/.test(id))
  ) {
    return 'marketplaceIds must be a non-empty array of marketplace ids such as "ATVPDKIKX0DER"';
  }
  if (!isHttpUrl(spApiEndpoint)) return 'spApiEndpoint must be an http(s) URL';
  if (lwaEndpoint !== undefined && !isHttpUrl(lwaEndpoint)) return 'lwaEndpoint must be an http(s) URL';
  for (const [name, field] of Object.entries({ clientId, clientSecret, refreshToken })) {
    if (typeof field !== 'string' || field.trim() === '') return `${name} must be a non-empty string`;
  }
  return {
    channelAccountId,
    sellerId,
    marketplaceIds: marketplaceIds as string[],
    spApiEndpoint: spApiEndpoint.replace(/\/+$/, ''),
    lwaEndpoint: lwaEndpoint ?? DEFAULT_LWA_ENDPOINT,
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    refreshToken: refreshToken as string,
  };
}
