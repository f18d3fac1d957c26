import { ConfigError, readConfig } from '@retail-mesh/service-kit';
import { describe, expect, it } from 'vitest';
import { channelShopifySettings } from './channel-shopify.config.js';

const account = { channelAccountId: 'shopify-b2c', adminApiUrl: 'http://127.0.0.1:7001', accessToken: 'shpat_do_not_log' };

function problemsOf(environment: Record<string, string>): readonly string[] {
  try {
    readConfig(channelShopifySettings, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('channelShopifySettings', () => {
  it('reads the accounts and defaults the rest', () => {
    const settings = readConfig(channelShopifySettings, { SHOPIFY_ACCOUNTS: JSON.stringify([account]) });
    expect(settings.shopifyAccounts).toEqual([{ ...account, apiVersion: '2026-04', clientSecrets: [] }]);
    expect(settings).toMatchObject({ catalogGrpcUrl: '127.0.0.1:50051', pollIntervalMs: 5_000, leaseTtlMs: 30_000, pushWaitMs: 10_000 });
    expect(settings).toMatchObject({
      ordersGrpcUrl: '127.0.0.1:50053',
      webhookBaseUrl: undefined,
      orderPollIntervalMs: 60_000,
      orderPollSettleMs: 300_000,
    });
  });

  it('requires SHOPIFY_ACCOUNTS', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^SHOPIFY_ACCOUNTS is required/)]);
  });

  it('names the bad entry and field without echoing the value, which holds tokens', () => {
    const problems = problemsOf({
      SHOPIFY_ACCOUNTS: JSON.stringify([account, { ...account, channelAccountId: 'b2b', adminApiUrl: 'nowhere' }]),
    });
    expect(problems).toEqual(['SHOPIFY_ACCOUNTS entry 1: adminApiUrl must be an http(s) URL']);
    const unparsable = problemsOf({ SHOPIFY_ACCOUNTS: `[{"accessToken": "shpat_do_not_log",` });
    expect(unparsable).toEqual(['SHOPIFY_ACCOUNTS is not valid JSON']);
  });

  it('checks the orders address and the webhook URL', () => {
    expect(problemsOf({ SHOPIFY_ACCOUNTS: '[]', ORDERS_GRPC_URL: 'orders', SHOPIFY_WEBHOOK_BASE_URL: 'ftp://adapter' })).toEqual([
      expect.stringMatching(/^ORDERS_GRPC_URL must be host:port/),
      expect.stringMatching(/^SHOPIFY_WEBHOOK_BASE_URL must be a URL starting with https:\/\/ or http:\/\//),
    ]);
  });

  it('checks the catalog address and the tuning values', () => {
    const problems = problemsOf({ SHOPIFY_ACCOUNTS: '[]', CATALOG_GRPC_URL: 'http://catalog:50051', SHOPIFY_PUSH_LEASE_TTL_MS: '10' });
    expect(problems).toEqual([
      expect.stringMatching(/^CATALOG_GRPC_URL must be host:port/),
      expect.stringMatching(/^SHOPIFY_PUSH_LEASE_TTL_MS must be an integer/),
    ]);
  });
});
