import { describe, expect, it } from 'vitest';
import { parseAmazonAccounts } from './amazon-account.js';

const account = {
  channelAccountId: 'amazon-us',
  sellerId: 'A2RMSANDBOXUS',
  marketplaceIds: ['ATVPDKIKX0DER'],
  spApiEndpoint: 'https://sellingpartnerapi-na.amazon.com/',
  clientId: 'amzn1.application-oa2-client.x',
  clientSecret: 'top-secret',
  refreshToken: 'Atzr|refresh-secret',
};

describe('parseAmazonAccounts', () => {
  it('reads accounts, trims the endpoint and defaults the LWA endpoint', () => {
    const eu = {
      ...account,
      channelAccountId: 'amazon-eu',
      marketplaceIds: ['A1PA6795UKMFR9'],
      lwaEndpoint: 'https://api.amazon.co.uk/auth/o2/token',
    };
    expect(parseAmazonAccounts(JSON.stringify([account, eu]))).toEqual({
      ok: true,
      accounts: [
        { ...account, spApiEndpoint: 'https://sellingpartnerapi-na.amazon.com', lwaEndpoint: 'https://api.amazon.com/auth/o2/token' },
        { ...eu, spApiEndpoint: 'https://sellingpartnerapi-na.amazon.com' },
      ],
    });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['not an array', '{}', /JSON array/],
    ['a bad seller id', JSON.stringify([{ ...account, sellerId: 'seller one' }]), /entry 0: sellerId/],
    ['no marketplaces', JSON.stringify([{ ...account, marketplaceIds: [] }]), /entry 0: marketplaceIds/],
    ['a non-http endpoint', JSON.stringify([{ ...account, spApiEndpoint: 'ftp://x' }]), /entry 0: spApiEndpoint/],
    ['an empty secret', JSON.stringify([{ ...account, clientSecret: ' ' }]), /entry 0: clientSecret/],
    ['a duplicate account id', JSON.stringify([account, account]), /entry 1: channelAccountId "amazon-us" appears twice/],
  ])('rejects %s without echoing secrets', (_case, raw, message) => {
    const result = parseAmazonAccounts(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(message);
      expect(result.error).not.toMatch(/top-secret|refresh-secret/);
    }
  });
});
