import { describe, expect, it } from 'vitest';
import { acknowledgementFeed, actionVerdicts, cancellationFeed, dedupeKeyOf, readXmlProcessingReport } from './order-feed.documents.js';

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

  it('writes a cancellation as a Failure acknowledgement naming each item with its reason, one message per order', () => {
    const feed = cancellationFeed('A2RMSANDBOXUS', [
      {
        id: 'c1',
        amazonOrderId: '113-1',
        erpOrderId: '',
        cancelItems: [
          { orderItemId: 'i1', reason: 'NoInventory' },
          { orderItemId: 'i2', reason: 'NoInventory' },
        ],
      },
      { id: 'c2', amazonOrderId: '113-2', erpOrderId: '', cancelItems: [{ orderItemId: 'i<3>', reason: 'BuyerCanceled' }] },
    ]);
    expect(feed.content).toContain('<MessageType>OrderAcknowledgement</MessageType>');
    expect(feed.content).toContain(
      [
        '<AmazonOrderID>113-1</AmazonOrderID>',
        '      <StatusCode>Failure</StatusCode>',
        '      <Item>',
        '        <AmazonOrderItemCode>i1</AmazonOrderItemCode>',
        '        <CancelReason>NoInventory</CancelReason>',
        '      </Item>',
        '      <Item>',
        '        <AmazonOrderItemCode>i2</AmazonOrderItemCode>',
      ].join('\n'),
    );
    expect(feed.content).toContain('<AmazonOrderItemCode>i&lt;3&gt;</AmazonOrderItemCode>');
    expect(feed.content).not.toContain('<StatusCode>Success</StatusCode>');
    const verdicts = actionVerdicts(feed, new Map([[2, '18032: nothing left to cancel']]));
    expect([...verdicts]).toEqual([
      ['c1', undefined],
      ['c2', '18032: nothing left to cancel'],
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
