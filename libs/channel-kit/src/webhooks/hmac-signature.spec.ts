import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHmacSha256Base64, verifyHmacSha256Base64 } from './hmac-signature.js';

const secret = 'shpss_test_secret';
const rawBody = Buffer.from('{"id":820982911946154508,"email":"jon@example.com","total_price":"19.99"}', 'utf8');
// Computed independently of the code under test.
const signature = createHmac('sha256', secret).update(rawBody).digest('base64');

describe('webhook HMAC verification', () => {
  it('signs like a Shopify sender: base64 HMAC-SHA256 of the raw body', () => {
    expect(signHmacSha256Base64(rawBody, secret)).toBe(signature);
    expect(signHmacSha256Base64(rawBody.toString('utf8'), secret)).toBe(signature);
  });

  it('accepts the correct signature', () => {
    expect(verifyHmacSha256Base64(rawBody, secret, signature)).toBe(true);
  });

  it('rejects a signature of a different body, such as one re-serialised after JSON parsing', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString('utf8'))), 'utf8');
    expect(reserialised.equals(rawBody)).toBe(false);
    expect(verifyHmacSha256Base64(reserialised, secret, signature)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyHmacSha256Base64(rawBody, 'another secret', signature)).toBe(false);
  });

  it('rejects missing, empty, truncated, over-long and non-base64 headers without throwing', () => {
    for (const header of [
      undefined,
      null,
      '',
      signature.slice(0, -2),
      `${signature}AA`,
      '!'.repeat(signature.length),
      signature.toLowerCase(),
    ]) {
      expect(verifyHmacSha256Base64(rawBody, secret, header), String(header)).toBe(false);
    }
  });

  it('accepts any of several live secrets during a rotation', () => {
    expect(verifyHmacSha256Base64(rawBody, ['new secret', secret], signature)).toBe(true);
    expect(verifyHmacSha256Base64(rawBody, ['new secret', 'older secret'], signature)).toBe(false);
  });

  it('never verifies against an empty secret', () => {
    const emptyKeySignature = createHmac('sha256', '').update(rawBody).digest('base64');
    expect(verifyHmacSha256Base64(rawBody, '', emptyKeySignature)).toBe(false);
    expect(verifyHmacSha256Base64(rawBody, [], signature)).toBe(false);
  });
});
