import { describe, expect, it } from 'vitest';
import {
  acknowledgementFeed,
  actionVerdicts,
  cancellationFeed,
  dedupeKeyOf,
  readFlatFileProcessingReport,
  readXmlProcessingReport,
} from './order-feed.documents.js';

const ack = (id: string, amazonOrderId: string, erpOrderId = '') => ({ id, amazonOrderId, erpOrderId, cancelItems: null });

describe('order feeds', () => {
  it('writes an acknowledgement feed with MerchantOrderID and StatusCode Success, one message per order', () => {
    const feed = acknowledgementFeed('A2RMSANDBOXUS', [ack('a1', '113-0000001-4000001', 'SO<1>'), ack('a2', '113-0000002-4000002')]);
    expect(feed.content).toContain('<MessageType>OrderAcknowledgement</MessageType>');
    expect(feed.content).toContain('<MerchantIdentifier>A2RMSANDBOXUS</MerchantIdentifier>');
    expect(feed.content).toContain(
      '<AmazonOrderID>113-0000001-4000001</AmazonOrderID>\n      <MerchantOrderID>SO&lt;1&gt;</MerchantOrderID>\n      <StatusCode>Success</StatusCode>',
    );
    expect(feed.content.match(/<StatusCode>Success<\/StatusCode>/g)).toHaveLength(2);
    expect([...feed.actionOfRecord]).toEqual([
      [1, 'a1'],
      [2, 'a2'],
    ]);
  });

  it('writes a cancellation flat file, one row per item, and maps rows back to actions', () => {
    const feed = cancellationFeed([
      {
        id: 'c1',
        amazonOrderId: '113-1',
        erpOrderId: '',
        cancelItems: [
          { orderItemId: 'i1', reason: 'NoInventory' },
          { orderItemId: 'i2', reason: 'NoInventory' },
        ],
      },
      { id: 'c2', amazonOrderId: '113-2', erpOrderId: '', cancelItems: [{ orderItemId: 'i3', reason: 'BuyerCanceled' }] },
    ]);
    expect(feed.content).toBe(
      'order-id\tamazon-order-item-code\tcancellation-reason-code\n113-1\ti1\tNoInventory\n113-1\ti2\tNoInventory\n113-2\ti3\tBuyerCanceled\n',
    );
    const verdicts = actionVerdicts(feed, new Map([[2, '18032: nothing left to cancel']]));
    expect([...verdicts]).toEqual([
      ['c1', '18032: nothing left to cancel'],
      ['c2', undefined],
    ]);
  });

  it('reads failed messages from an XML processing report', () => {
    const report = `<AmazonEnvelope><Message><MessageID>1</MessageID><ProcessingReport><StatusCode>Complete</StatusCode>
      <ProcessingSummary><MessagesProcessed>2</MessagesProcessed><MessagesSuccessful>1</MessagesSuccessful></ProcessingSummary>
      <Result><MessageID>2</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>18028</ResultMessageCode><ResultDescription>not found</ResultDescription></Result>
      <Result><MessageID>1</MessageID><ResultCode>Warning</ResultCode><ResultMessageCode>1</ResultMessageCode><ResultDescription>w</ResultDescription></Result>
      </ProcessingReport></Message></AmazonEnvelope>`;
    expect(readXmlProcessingReport(report)).toEqual({ ok: true, errors: new Map([[2, '18028: not found']]) });
    expect(readXmlProcessingReport('{"json": true}')).toMatchObject({ ok: false });
  });

  it('reads failed rows from a flat-file processing report', () => {
    const report = [
      'Feed Processing Summary:',
      '\tNumber of records processed\t\t2',
      '\tNumber of records successful\t\t1',
      '',
      'original-record-number\torder-id\terror-code\terror-type\terror-message',
      '2\t113-1\t18032\tError\tnothing left',
      '',
    ].join('\n');
    expect(readFlatFileProcessingReport(report)).toEqual({ ok: true, errors: new Map([[2, '18032: nothing left']]) });
    expect(readFlatFileProcessingReport('garbage')).toMatchObject({ ok: false });
  });

  it('keys acknowledgements by order and cancellations by order and items', () => {
    expect(dedupeKeyOf('acknowledge', '113-1')).toBe('113-1');
    expect(
      dedupeKeyOf('cancel', '113-1', [
        { orderItemId: 'b', reason: 'x' },
        { orderItemId: 'a', reason: 'x' },
      ]),
    ).toBe('113-1:a,b');
  });
});
