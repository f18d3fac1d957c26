import { ConfigError, readConfig } from '@retail-mesh/service-kit';
import { describe, expect, it } from 'vitest';
import { parseAccountList } from './account-list.js';
import { ChannelAccountsSetting } from './channel-accounts.setting.js';

const settings = {
  accounts: new ChannelAccountsSetting('TEST_ACCOUNTS', 'a JSON array of {channelAccountId, token}', (raw) =>
    parseAccountList(raw, (entry, channelAccountId) =>
      typeof entry.token === 'string' ? { channelAccountId, token: entry.token } : 'token must be a string',
    ),
  ),
};

function problemsOf(environment: Record<string, string>): readonly string[] {
  try {
    readConfig(settings, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ChannelAccountsSetting', () => {
  it('reads the accounts', () => {
    expect(readConfig(settings, { TEST_ACCOUNTS: '[{"channelAccountId":"a","token":"t_secret"}]' }).accounts).toEqual([
      { channelAccountId: 'a', token: 't_secret' },
    ]);
  });

  it('is required', () => {
    expect(problemsOf({ TEST_ACCOUNTS: ' ' })).toEqual(['TEST_ACCOUNTS is required: expected a JSON array of {channelAccountId, token}']);
  });

  it("passes on the parser's problem without the value, which holds secrets", () => {
    expect(problemsOf({ TEST_ACCOUNTS: '[{"channelAccountId":"a","token":1,"secret":"t_secret"}]' })).toEqual([
      'TEST_ACCOUNTS entry 0: token must be a string',
    ]);
    expect(problemsOf({ TEST_ACCOUNTS: '[{"token":"t_secret"' })).toEqual(['TEST_ACCOUNTS is not valid JSON']);
  });
});
