import type { inventoryEventsV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { toDesiredAvailability, type ChannelIdentity } from './availability-changed.mapper.js';

const shopify: ChannelIdentity = { channel: 'shopify', displayName: 'Shopify' };
const served = (id: string) => id === 'shopify-b2c';

function event(overrides: Partial<inventoryEventsV1.AvailabilityChanged> = {}): inventoryEventsV1.AvailabilityChanged {
  return {
    channelAccountId: 'shopify-b2c',
    channel: 'shopify',
    sku: 'TEE-M',
    availableQuantity: 12,
    version: 3,
    computedAt: { seconds: 1_772_445_601, nanos: 0 },
    sourceChangedAt: { seconds: 1_772_445_600, nanos: 500_000_000 },
    ...overrides,
  };
}

describe('toDesiredAvailability', () => {
  it('maps a valid event', () => {
    expect(toDesiredAvailability(shopify, event(), 'shopify-b2c', served)).toEqual({
      ok: true,
      desired: {
        channelAccountId: 'shopify-b2c',
        sku: 'TEE-M',
        quantity: 12,
        version: 3,
        sourceChangedAt: new Date('2026-03-02T10:00:00.500Z'),
      },
    });
  });

  it('accepts zero and an envelope without an account; a repair has no source time', () => {
    const result = toDesiredAvailability(shopify, event({ availableQuantity: 0, sourceChangedAt: null }), '', served);
    expect(result).toMatchObject({ ok: true, desired: { quantity: 0, sourceChangedAt: null } });
  });

  it.each([
    ['another channel', event({ channel: 'amazon' }), 'shopify-b2c', /channel is "amazon"/],
    ['no account', event({ channelAccountId: '' }), '', /channel_account_id is empty/],
    [
      'an account the adapter does not serve',
      event({ channelAccountId: 'shopify-other' }),
      '',
      /unknown Shopify channel account "shopify-other"/,
    ],
    ['an envelope of another account', event(), 'shopify-b2b', /differs/],
    ['no SKU', event({ sku: ' ' }), '', /sku is empty/],
    ['a negative quantity', event({ availableQuantity: -1 }), '', /available_quantity -1/],
    ['an unset version', event({ version: 0 }), '', /version 0/],
  ])('refuses %s with a reason', (_case, payload, envelopeAccount, reason) => {
    const result = toDesiredAvailability(shopify, payload, envelopeAccount, served);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('toDesiredAvailability for another channel', () => {
  it('checks the channel and names the account with its display name', () => {
    const amazon: ChannelIdentity = { channel: 'amazon', displayName: 'Amazon' };
    expect(toDesiredAvailability(amazon, event({ channel: 'amazon', channelAccountId: 'amazon-us' }), '', () => false)).toEqual({
      ok: false,
      reason: 'unknown Amazon channel account "amazon-us"',
    });
    expect(toDesiredAvailability(amazon, event(), '', () => true)).toEqual({ ok: false, reason: 'channel is "shopify", not "amazon"' });
  });
});
