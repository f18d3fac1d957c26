import { describe, expect, it } from 'vitest';
import { listingsFeedDocument, listingsFeedItems, pushMethodFor, readListingsReport, refusalOfSubmission } from './listings-push.js';

const rows = [
  { sku: 'TEE-M', desiredQuantity: 4, desiredVersion: 7, sourceChangedAt: new Date('2026-11-27T10:00:00Z') },
  { sku: 'MUG', desiredQuantity: 0, desiredVersion: 2, sourceChangedAt: null },
];

describe('listings pushes', () => {
  it('patches while the backlog is at most the threshold, feeds above it', () => {
    expect(pushMethodFor(50, 50)).toBe('patch');
    expect(pushMethodFor(51, 50)).toBe('feed');
    expect(pushMethodFor(1, 0)).toBe('feed');
  });

  it('writes a JSON_LISTINGS_FEED of fulfillment_availability patches, one message per SKU', () => {
    const items = listingsFeedItems(rows);
    expect(items).toEqual([
      { messageId: 1, sku: 'TEE-M', version: 7, quantity: 4, sourceChangedAt: '2026-11-27T10:00:00.000Z' },
      { messageId: 2, sku: 'MUG', version: 2, quantity: 0, sourceChangedAt: null },
    ]);
    const document = JSON.parse(listingsFeedDocument('A2RMSANDBOXUS', items));
    expect(document.header).toEqual({ sellerId: 'A2RMSANDBOXUS', version: '2.0', issueLocale: 'en_US' });
    expect(document.messages[1]).toEqual({
      messageId: 2,
      sku: 'MUG',
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [
        { op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 0 }] },
      ],
    });
  });

  it('reads the processing report: messages with an ERROR are refused, the rest accepted', () => {
    const items = listingsFeedItems(rows);
    const report = JSON.stringify({
      header: { sellerId: 'A2RMSANDBOXUS', version: '2.0', feedId: '50000000001' },
      issues: [
        { messageId: 2, code: '90220', severity: 'ERROR', message: 'bad quantity' },
        { messageId: 1, code: '18000', severity: 'WARNING', message: 'just a warning' },
      ],
      summary: { errors: 1, warnings: 1, messagesProcessed: 2, messagesAccepted: 1, messagesInvalid: 1 },
    });
    expect(readListingsReport(report, '50000000001', items)).toEqual({
      ok: true,
      accepted: [items[0]],
      refused: [{ sku: 'MUG', version: 2, code: '90220', message: 'bad quantity' }],
    });
    expect(readListingsReport('<xml/>', '50000000001', items)).toMatchObject({ ok: false });
    expect(readListingsReport(report, '50000000002', items)).toMatchObject({ ok: false, reason: expect.stringContaining('50000000001') });
  });

  it('turns an INVALID submission into a refusal with its first error', () => {
    expect(
      refusalOfSubmission({ sku: 'TEE-M', version: 3 }, { sku: 'TEE-M', status: 'ACCEPTED', submissionId: 's', issues: [] }),
    ).toBeUndefined();
    expect(
      refusalOfSubmission(
        { sku: 'TEE-M', version: 3 },
        { sku: 'TEE-M', status: 'INVALID', submissionId: 's', issues: [{ code: 'NOT_FOUND', message: 'no listing', severity: 'ERROR' }] },
      ),
    ).toEqual({ sku: 'TEE-M', version: 3, code: 'NOT_FOUND', message: 'no listing' });
  });
});
