// Pure writing of the order feeds and reading of their processing reports. Acknowledgements and
// cancellations go through POST_ORDER_ACKNOWLEDGEMENT_DATA, XML `OrderAcknowledgement` messages,
// one per order:
// - acknowledgement: StatusCode Success with the ERP order id as MerchantOrderID;
// - seller cancellation: StatusCode Failure with an `Item` per cancelled item (AmazonOrderItemCode
//   and CancelReason): Amazon cancels those items' unshipped units, the order's other items stay.
// Units of an item that keeps units to ship go through POST_PAYMENT_ADJUSTMENT_DATA, XML
// `OrderAdjustment` messages, one per order, an `AdjustedItem` per item (see payment-adjustment.ts).
// Both XML ProcessingReports have a `Result` per failed message.
import { formatMoney } from '@retail-mesh/domain';
import type { CancelItem, OrderFeedAction } from './order-feed-action.entity.js';

export const ORDER_FEED_TYPE = 'POST_ORDER_ACKNOWLEDGEMENT_DATA';
export const ORDER_FEED_CONTENT_TYPE = 'text/xml; charset=UTF-8';

type ActionContent = Pick<OrderFeedAction, 'id' | 'amazonOrderId' | 'erpOrderId' | 'cancelItems'>;
type AdjustmentContent = Pick<OrderFeedAction, 'id' | 'amazonOrderId' | 'adjustItems'>;

export interface OrderFeed {
  content: string;
  /** Which action each message (XML MessageID) belongs to. */
  actionOfRecord: Map<number, string>;
}

export function acknowledgementFeed(sellerId: string, actions: readonly ActionContent[]): OrderFeed {
  return orderAcknowledgementFeed(sellerId, actions, (action) => {
    const merchantOrderId =
      action.erpOrderId === '' ? '' : `\n      <MerchantOrderID>${escapeXml(action.erpOrderId.slice(0, 64))}</MerchantOrderID>`;
    return `${merchantOrderId}\n      <StatusCode>Success</StatusCode>`;
  });
}

export function cancellationFeed(sellerId: string, actions: readonly ActionContent[]): OrderFeed {
  return orderAcknowledgementFeed(sellerId, actions, (action) => {
    const items = (action.cancelItems ?? []).map(
      (item) => `
      <Item>
        <AmazonOrderItemCode>${escapeXml(item.orderItemId)}</AmazonOrderItemCode>
        <CancelReason>${escapeXml(item.reason)}</CancelReason>
      </Item>`,
    );
    return `\n      <StatusCode>Failure</StatusCode>${items.join('')}`;
  });
}

/**
 * An OrderAdjustment per action: an AdjustedItem per item with its cancelled units, the refund of
 * their Principal and Tax (positive: money back to the buyer) and, when they had a promotion, its
 * share taken back (negative). MerchantAdjustmentItemID names the action, so the adjustment can be
 * traced to it in Seller Central and the settlement report.
 */
export function paymentAdjustmentFeed(sellerId: string, actions: readonly AdjustmentContent[]): OrderFeed {
  return amazonEnvelope(sellerId, 'OrderAdjustment', actions, (action) =>
    (action.adjustItems ?? [])
      .map((item, index) => {
        const amount = (minor: number) =>
          `<Amount currency="${escapeXml(item.currency)}">${formatMoney({ amountMinor: minor, currency: item.currency })}</Amount>`;
        const promotion =
          item.promotionMinor === 0
            ? ''
            : `
        <PromotionAdjustments>
          <Component>
            <Type>Principal</Type>
            ${amount(-item.promotionMinor)}
          </Component>
        </PromotionAdjustments>`;
        return `
      <AdjustedItem>
        <AmazonOrderItemCode>${escapeXml(item.orderItemId)}</AmazonOrderItemCode>
        <MerchantAdjustmentItemID>${escapeXml(merchantAdjustmentItemId(action.id, index))}</MerchantAdjustmentItemID>
        <AdjustmentReason>${escapeXml(item.reason)}</AdjustmentReason>
        <ItemPriceAdjustments>
          <Component>
            <Type>Principal</Type>
            ${amount(item.principalMinor)}
          </Component>
          <Component>
            <Type>Tax</Type>
            ${amount(item.taxMinor)}
          </Component>
        </ItemPriceAdjustments>${promotion}
        <QuantityCancelled>${item.quantityCancelled}</QuantityCancelled>
      </AdjustedItem>`;
      })
      .join(''),
  );
}

/** The seller's id of an adjusted item: the action and the item's place in it. */
export function merchantAdjustmentItemId(actionId: string, index: number): string {
  return `rm-${actionId}-${index + 1}`;
}

function orderAcknowledgementFeed(sellerId: string, actions: readonly ActionContent[], body: (action: ActionContent) => string): OrderFeed {
  return amazonEnvelope(sellerId, 'OrderAcknowledgement', actions, body);
}

/** An AmazonEnvelope with one message per action; `body` is what follows the message's AmazonOrderID. */
function amazonEnvelope<T extends Pick<OrderFeedAction, 'id' | 'amazonOrderId'>>(
  sellerId: string,
  messageType: 'OrderAcknowledgement' | 'OrderAdjustment',
  actions: readonly T[],
  body: (action: T) => string,
): OrderFeed {
  const actionOfRecord = new Map<number, string>();
  const messages = actions.map((action, index) => {
    actionOfRecord.set(index + 1, action.id);
    return `  <Message>
    <MessageID>${index + 1}</MessageID>
    <${messageType}>
      <AmazonOrderID>${escapeXml(action.amazonOrderId)}</AmazonOrderID>${body(action)}
    </${messageType}>
  </Message>`;
  });
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.01</DocumentVersion>
    <MerchantIdentifier>${escapeXml(sellerId)}</MerchantIdentifier>
  </Header>
  <MessageType>${messageType}</MessageType>
${messages.join('\n')}
</AmazonEnvelope>
`;
  return { content, actionOfRecord };
}

export type ReportReading = { ok: true; errors: Map<number, string> } | { ok: false; reason: string };

/** Failed messages of an XML ProcessingReport, by MessageID. */
export function readXmlProcessingReport(report: string): ReportReading {
  if (!/<ProcessingReport>/.test(report) || !/<MessagesProcessed>\d+<\/MessagesProcessed>/.test(report)) {
    return { ok: false, reason: 'not an XML ProcessingReport' };
  }
  const errors = new Map<number, string>();
  for (const [, result] of report.matchAll(/<Result>([\s\S]*?)<\/Result>/g)) {
    if (text(result, 'ResultCode') !== 'Error') continue;
    const messageId = Number(text(result, 'MessageID'));
    const description = `${text(result, 'ResultMessageCode') ?? ''}: ${text(result, 'ResultDescription') ?? ''}`;
    if (Number.isInteger(messageId) && !errors.has(messageId)) errors.set(messageId, description);
  }
  return { ok: true, errors };
}

/** Per action: undefined when all its messages went through, else the first error. */
export function actionVerdicts(
  feed: Pick<OrderFeed, 'actionOfRecord'>,
  errors: ReadonlyMap<number, string>,
): Map<string, string | undefined> {
  const verdicts = new Map<string, string | undefined>();
  for (const [record, actionId] of feed.actionOfRecord) {
    if (!verdicts.has(actionId)) verdicts.set(actionId, undefined);
    const error = errors.get(record);
    if (error !== undefined && verdicts.get(actionId) === undefined) verdicts.set(actionId, error);
  }
  return verdicts;
}

/** One action per order, per kind; cancellations also per set of items. */
export function dedupeKeyOf(kind: 'acknowledge' | 'cancel' | 'adjust', amazonOrderId: string, items: readonly CancelItem[] = []): string {
  if (kind === 'acknowledge') return amazonOrderId;
  return `${amazonOrderId}:${items
    .map((item) => item.orderItemId)
    .sort()
    .join(',')}`.slice(0, 255);
}

/**
 * An adjustment queued for an orders.order_cancelled event: per item, the units the mesh has
 * cancelled of its line in all after the change. A redelivered (or re-published) event names the
 * same figures and finds the adjustment queued; a later change of the same line names more.
 */
export function adjustmentDedupeKey(amazonOrderId: string, lines: ReadonlyArray<{ orderItemId: string; cancelledInAll: number }>): string {
  const parts = lines.map((line) => `${line.orderItemId}@${line.cancelledInAll}`).sort();
  return `${amazonOrderId}:adjust:${parts.join(',')}`.slice(0, 255);
}

/** The actions a CancelOrder RPC with an idempotency key queued (one per kind): a repeat finds them. */
export function requestDedupeKey(amazonOrderId: string, idempotencyKey: string): string {
  return `${amazonOrderId}:request:${idempotencyKey}`.slice(0, 255);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function text(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1]?.trim();
}
