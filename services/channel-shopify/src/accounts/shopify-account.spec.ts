import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOPIFY_API_VERSION, parseShopifyAccounts } from './shopify-account.js';

const account = {
  channelAccountId: 'shopify-b2c-eu',
  adminApiUrl: 'https://b2c-eu.myshopify.com/',
  accessToken: 'shpat_secret',
  apiVersion: '2026-04',
};

describe('parseShopifyAccounts', () => {
  it('reads several accounts, trims the URL and defaults the API version', () => {
    const { apiVersion: _omitted, ...withoutVersion } = {
      ...account,
      channelAccountId: 'shopify-b2b',
      adminApiUrl: 'http://127.0.0.1:7001',
    };
    const result = parseShopifyAccounts(JSON.stringify([account, withoutVersion]));
    expect(result).toEqual({
      ok: true,
      accounts: [
        { ...account, adminApiUrl: 'https://b2c-eu.myshopify.com', clientSecrets: [] },
        { ...withoutVersion, apiVersion: DEFAULT_SHOPIFY_API_VERSION, clientSecrets: [] },
      ],
    });
  });

  it('reads the client secret, or several during a rotation', () => {
    const one = parseShopifyAccounts(JSON.stringify([{ ...account, clientSecret: 'shpss_a' }]));
    expect(one.ok && one.accounts[0].clientSecrets).toEqual(['shpss_a']);
    const two = parseShopifyAccounts(JSON.stringify([{ ...account, clientSecret: ['shpss_new', 'shpss_old'] }]));
    expect(two.ok && two.accounts[0].clientSecrets).toEqual(['shpss_new', 'shpss_old']);
  });

  it('accepts no accounts', () => {
    expect(parseShopifyAccounts('[]')).toEqual({ ok: true, accounts: [] });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['not an array', '{}', /JSON array/],
    ['a bad account id', JSON.stringify([{ ...account, channelAccountId: 'has space' }]), /entry 0: channelAccountId/],
    ['a non-http URL', JSON.stringify([{ ...account, adminApiUrl: 'ftp://shop' }]), /entry 0: adminApiUrl/],
    ['an empty token', JSON.stringify([{ ...account, accessToken: ' ' }]), /entry 0: accessToken/],
    ['a bad API version', JSON.stringify([{ ...account, apiVersion: '2026-05' }]), /entry 0: apiVersion/],
    ['a duplicate account id', JSON.stringify([account, account]), /entry 1: channelAccountId "shopify-b2c-eu" appears twice/],
    ['an empty client secret', JSON.stringify([{ ...account, clientSecret: ['shpss_secret', ''] }]), /entry 0: clientSecret/],
  ])('rejects %s', (_case, raw, message) => {
    const result = parseShopifyAccounts(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(message);
      expect(result.error).not.toContain('shpat_secret');
    }
  });
});
