import { describe, expect, it } from 'vitest';
import { isHttpUrl, parseAccountList } from './account-list.js';

interface TestAccount {
  channelAccountId: string;
  endpoint: string;
  token: string;
}

function parseTestAccounts(raw: string) {
  return parseAccountList<TestAccount>(raw, (entry, channelAccountId) => {
    if (!isHttpUrl(entry.endpoint)) return 'endpoint must be an http(s) URL';
    if (typeof entry.token !== 'string' || entry.token === '') return 'token must be a non-empty string';
    return { channelAccountId, endpoint: entry.endpoint, token: entry.token };
  });
}

const account = { channelAccountId: 'store-eu.1', endpoint: 'https://eu.example.com', token: 'tok_secret' };

describe('parseAccountList', () => {
  it("reads every entry with the channel's own fields", () => {
    const us = { ...account, channelAccountId: 'store:us', endpoint: 'http://127.0.0.1:7001' };
    expect(parseTestAccounts(JSON.stringify([account, us]))).toEqual({ ok: true, accounts: [account, us] });
    expect(parseTestAccounts('[]')).toEqual({ ok: true, accounts: [] });
  });

  it.each([
    ['not JSON', '[{"token": "tok_secret",', 'is not valid JSON'],
    ['not an array', JSON.stringify(account), 'must be a JSON array of accounts'],
    ['an entry that is not an object', JSON.stringify([account, ['tok_secret']]), 'entry 1: must be an object'],
    ['a missing account id', JSON.stringify([{ ...account, channelAccountId: undefined }]), 'entry 0: channelAccountId must be'],
    ['an account id with a space', JSON.stringify([{ ...account, channelAccountId: 'store eu' }]), 'entry 0: channelAccountId must be'],
    ['an account id of 101 characters', JSON.stringify([{ ...account, channelAccountId: 'a'.repeat(101) }]), 'entry 0: channelAccountId'],
    ['a refused channel field', JSON.stringify([{ ...account, endpoint: 'ftp://eu' }]), 'entry 0: endpoint must be an http(s) URL'],
    ['a duplicate account id', JSON.stringify([account, account]), 'entry 1: channelAccountId "store-eu.1" appears twice'],
  ])('refuses %s, naming the entry and never a secret', (_case, raw, message) => {
    const result = parseTestAccounts(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(message);
      expect(result.error).not.toContain('tok_secret');
    }
  });
});

describe('isHttpUrl', () => {
  it('accepts absolute http and https URLs only', () => {
    expect(isHttpUrl('https://sellingpartnerapi-na.amazon.com')).toBe(true);
    expect(isHttpUrl('http://127.0.0.1:7002')).toBe(true);
    for (const value of ['ftp://example.com', 'example.com', '', undefined, 42]) expect(isHttpUrl(value), String(value)).toBe(false);
  });
});
