// Pure writing of the order feeds and reading of their processing reports.
// - Acknowledgement: POST_ORDER_ACKNOWLEDGEMENT_DATA, XML `OrderAcknowledgement` messages with
//   StatusCode Success and the ERP order id as MerchantOrderID; XML ProcessingReport with a
//   `Result` per failed message.
// - Seller cancellation: POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA, tab-separated
//   `order-id, amazon-order-item-code, cancellation-reason-code`, one row per item (Amazon cancels
//   whole items); a text report listing failed rows by original-record-number.
import type { CancelItem, OrderFeedAction } from './order-feed-action.entity.js';

export const ACKNOWLEDGEMENT_FEED_TYPE = 'POST_ORDER_ACKNOWLEDGEMENT_DATA';
export const ACKNOWLEDGEMENT_CONTENT_TYPE = 'text/xml; charset=UTF-8';
export const CANCELLATION_FEED_TYPE = 'POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA';
export const CANCELLATION_CONTENT_TYPE = 'text/tab-separated-values; charset=UTF-8';

type ActionContent = Pick<OrderFeedAction, 'id' | 'amazonOrderId' | 'erpOrderId' | 'cancelItems'>;

export interface OrderFeed {
  content: string;
  /** Which action each message (XML MessageID) or row (original-record-number) belongs to. */
  actionOfRecord: Map<number, string>;
}

export function acknowledgementFeed(sellerId: string, actions: readonly ActionContent[]): OrderFeed {
  const actionOfRecord = new Map<number, string>();
  const messages = actions.map((action, index) => {
    actionOfRecord.set(index + 1, action.id);
    const merchantOrderId =
      action.erpOrderId === '' ? '' : `\n      <MerchantOrderID>${escapeXml(action.erpOrderId.slice(0, 64))}</MerchantOrderID>`;
    return `  <Message>
    <MessageID>${index + 1}</MessageID>
    <OrderAcknowledgement>
      <AmazonOrderID>${escapeXml(action.amazonOrderId)}</AmazonOrderID>${merchantOrderId}
      <StatusCode>Success</StatusCode>
    </OrderAcknowledgement>
  </Message>`;
  });
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.01</DocumentVersion>
    <MerchantIdentifier>${escapeXml(sellerId)}</MerchantIdentifier>
  </Header>
  <MessageType>OrderAcknowledgement</MessageType>
${messages.join('\n')}
</AmazonEnvelope>
`;
  return { content, actionOfRecord };
}

export function cancellationFeed(actions: readonly ActionContent[]): OrderFeed {
  const actionOfRecord = new Map<number, string>();
  const rows: string[] = ['order-id\tamazon-order-item-code\tcancellation-reason-code'];
  for (const action of actions) {
    for (const item of action.cancelItems ?? []) {
      rows.push([action.amazonOrderId, item.orderItemId, item.reason].map(cell).join('\t'));
      actionOfRecord.set(rows.length - 1, action.id);
    }
  }
  return { content: `${rows.join('\n')}\n`, actionOfRecord };
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

/** Failed rows of a flat-file processing report, by original-record-number. */
export function readFlatFileProcessingReport(report: string): ReportReading {
  const lines = report.split(/\r?\n/);
  if (!lines.some((line) => /Number of records processed/.test(line))) return { ok: false, reason: 'not a flat-file processing report' };
  const headerIndex = lines.findIndex((line) => line.startsWith('original-record-number'));
  const errors = new Map<number, string>();
  if (headerIndex === -1) return { ok: true, errors };
  const columns = lines[headerIndex].split('\t');
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    const value = (name: string) => cells[columns.indexOf(name)] ?? '';
    const record = Number(value('original-record-number'));
    if (!Number.isInteger(record) || value('error-type') !== 'Error') continue;
    if (!errors.has(record)) errors.set(record, `${value('error-code')}: ${value('error-message')}`);
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
export function dedupeKeyOf(kind: 'acknowledge' | 'cancel', amazonOrderId: string, items: readonly CancelItem[] = []): string {
  if (kind === 'acknowledge') return amazonOrderId;
  return `${amazonOrderId}:${items
    .map((item) => item.orderItemId)
    .sort()
    .join(',')}`.slice(0, 255);
}

function cell(value: string): string {
  // A tab or newline inside a value would shift every column after it.
  return value.replace(/[\t\r\n]/g, ' ');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function text(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1]?.trim();
}
