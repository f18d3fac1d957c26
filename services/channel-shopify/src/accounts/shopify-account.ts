// The Shopify stores (channel accounts) this adapter serves, as configured in SHOPIFY_ACCOUNTS.
// One adapter process serves every store; each store has its own token, API version and rate
// limit bucket, and every row the adapter keeps is keyed by its channel_account_id.

export interface ShopifyAccount {
  channelAccountId: string;
  /** `https://<shop>.myshopify.com`, or the sandbox's `http://127.0.0.1:7001`. */
  adminApiUrl: string;
  accessToken: string;
  /** Admin API version, `YYYY-MM` or `unstable`. */
  apiVersion: string;
  /**
   * The app's client secret(s): the key of the webhook HMAC. Several during a rotation (Shopify
   * may take an hour to switch). Empty: webhooks for this account are refused (the poll still runs).
   */
  clientSecrets: string[];
}

export const DEFAULT_SHOPIFY_API_VERSION = '2026-04';

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;

export type ShopifyAccountsParseResult = { ok: true; accounts: ShopifyAccount[] } | { ok: false; error: string };

/**
 * Validates the JSON value of SHOPIFY_ACCOUNTS: an array of
 * `{ channelAccountId, adminApiUrl, accessToken, apiVersion?, clientSecret? }` with unique account
 * ids (`clientSecret`: a string, or an array of them during a rotation). Errors name the entry and
 * field but never echo a token or secret.
 */
export function parseShopifyAccounts(raw: string): ShopifyAccountsParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // JSON.parse's message quotes the input, which holds access tokens.
    return { ok: false, error: 'is not valid JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'must be a JSON array of accounts' };
  const accounts: ShopifyAccount[] = [];
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

function parseAccount(entry: unknown): ShopifyAccount | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'must be an object';
  const { channelAccountId, adminApiUrl, accessToken, apiVersion, clientSecret } = entry as Record<string, unknown>;
  if (typeof channelAccountId !== 'string' || !ACCOUNT_ID.test(channelAccountId)) {
    return 'channelAccountId must be 1-100 characters: letters, digits and . _ : -';
  }
  if (typeof adminApiUrl !== 'string' || !isHttpUrl(adminApiUrl)) return 'adminApiUrl must be an http(s) URL';
  if (typeof accessToken !== 'string' || accessToken.trim() === '') return 'accessToken must be a non-empty string';
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !API_VERSION.test(apiVersion))) {
    return 'apiVersion must look like 2026-04 (YYYY-01/04/07/10) or be "unstable"';
  }
  const clientSecrets = clientSecret === undefined ? [] : Array.isArray(clientSecret) ? clientSecret : [clientSecret];
  if (!clientSecrets.every((secret) => typeof secret === 'string' && secret.trim() !== '')) {
    return 'clientSecret must be a non-empty string or an array of them';
  }
  return {
    channelAccountId,
    adminApiUrl: adminApiUrl.replace(/\/+$/, ''),
    accessToken,
    apiVersion: (apiVersion as string | undefined) ?? DEFAULT_SHOPIFY_API_VERSION,
    clientSecrets: clientSecrets as string[],
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
