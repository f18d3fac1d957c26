import { InvalidArgumentError } from '@retail-mesh/service-kit';
import { describe, expect, it } from 'vitest';
import { requireChannelAccountId } from './request-checks.js';

describe('requireChannelAccountId', () => {
  it('refuses an empty or blank account as INVALID_ARGUMENT naming the field, and lets any other through', () => {
    for (const channelAccountId of ['', '  ']) {
      expect(() => requireChannelAccountId({ channelAccountId })).toThrow(InvalidArgumentError);
      expect(() => requireChannelAccountId({ channelAccountId })).toThrow('channel_account_id is required');
    }
    expect(() => requireChannelAccountId({ channelAccountId: 'shopify-b2c' })).not.toThrow();
  });
});
