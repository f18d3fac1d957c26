// The Shopify stores (channel accounts) this adapter serves, as configured in SHOPIFY_ACCOUNTS.
// One adapter process serves every store; each store has its own token, API version and rate
// limit bucket, and every row the adapter keeps is keyed by its channel_account_id.
import { isHttpUrl, parseAccountList, type AccountListParseResult } from '@retail-mesh/channel-kit';

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

const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;

/**
 * Validates the JSON value of SHOPIFY_ACCOUNTS: an array of
 * `{ channelAccountId, adminApiUrl, accessToken, apiVersion?, clientSecret? }` with unique account
 * ids (`clientSecret`: a string, or an array of them during a rotation). Errors name the entry and
 * field but never echo a token or secret.
 */
export function parseShopifyAccounts(raw: string): AccountListParseResult<ShopifyAccount> {
  return parseAccountList(raw, parseAccount);
}

function parseAccount(entry: Record<string, unknown>, channelAccountId: string): ShopifyAccount | string {
  const { adminApiUrl, accessToken, apiVersion, clientSecret } = entry;
  if (!isHttpUrl(adminApiUrl)) return 'adminApiUrl must be an http(s) URL';
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
