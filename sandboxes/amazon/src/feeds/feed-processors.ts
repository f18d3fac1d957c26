// What processing a feed does, per feed type: apply its messages to the sandbox's orders or
// listings and write the processing report Amazon writes for that type.
// - JSON_LISTINGS_FEED: the bulk equivalent of Listings Items (PATCH / UPDATE / PARTIAL_UPDATE /
//   DELETE messages); JSON report `{header, issues, summary}`.
// - POST_ORDER_ACKNOWLEDGEMENT_DATA (XML): StatusCode Success acknowledges an order (optionally
//   with MerchantOrderID); Failure with items and CancelReason cancels those items. XML report.
// - POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA (tab-separated order-id, amazon-order-item-code,
//   cancellation-reason-code): cancels items; it does not acknowledge. Text report.
// - POST_PAYMENT_ADJUSTMENT_DATA (XML OrderAdjustment): refunds items' Principal / Tax and takes
//   back promotions; with QuantityCancelled (reason NoInventory or CustomerCancel) also cancels
//   that many unshipped units. Each message applies whole or not at all. XML report.
// Legacy XML / flat-file listing feeds are unsupported since 2025-07-31 and end FATAL.
import { isRecord } from '@retail-mesh/sandbox-kit';
import type { ListingStore } from '../listings/listing-store.js';
import { validatePatches, type ListingIssue, type ListingPatch } from '../listings/listing-store.js';
import {
  chargedPrice,
  chargedPromotion,
  chargedTax,
  decimalToMinor,
  type AdjustmentRecord,
  type OrderStore,
  type StoredOrder,
  type StoredOrderItem,
} from '../orders/order-store.js';
import { escapeXml, xmlElements, xmlText } from './xml.js';
import type { StoredFeed } from './feed-store.js';

export const SUPPORTED_FEED_TYPES = [
  'JSON_LISTINGS_FEED',
  'POST_ORDER_ACKNOWLEDGEMENT_DATA',
  'POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA',
  'POST_PAYMENT_ADJUSTMENT_DATA',
] as const;
/** Known feed types the sandbox accepts and ends FATAL (legacy listing feeds; order feeds it does not imitate). */
export const FATAL_FEED_TYPES = [
  'POST_PRODUCT_DATA',
  'POST_INVENTORY_AVAILABILITY_DATA',
  'POST_PRODUCT_PRICING_DATA',
  'POST_FLAT_FILE_INVLOADER_DATA',
  'POST_FLAT_FILE_LISTINGS_DATA',
  'POST_ORDER_FULFILLMENT_DATA',
  'POST_FLAT_FILE_FULFILLMENT_DATA',
  'POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA',
] as const;

export const CANCEL_REASONS = [
  'NoInventory',
  'ShippingAddressUndeliverable',
  'CustomerExchange',
  'BuyerCanceled',
  'GeneralAdjustment',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'CustomerReturn',
  'MerchandiseNotReceived',
] as const;

export interface FeedContext {
  orders: OrderStore;
  listings: ListingStore;
  now: () => number;
}

export interface FeedOutcome {
  status: 'DONE' | 'FATAL';
  report: { contentType: string; content: string };
}

export function isKnownFeedType(feedType: string): boolean {
  return (SUPPORTED_FEED_TYPES as readonly string[]).includes(feedType) || (FATAL_FEED_TYPES as readonly string[]).includes(feedType);
}

export function processFeed(feed: StoredFeed, content: string, context: FeedContext): FeedOutcome {
  switch (feed.feedType) {
    case 'JSON_LISTINGS_FEED':
      return processListingsFeed(feed, content, context);
    case 'POST_ORDER_ACKNOWLEDGEMENT_DATA':
      return processAcknowledgementXml(feed, content, context);
    case 'POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA':
      return processCancellationFlatFile(feed, content, context);
    case 'POST_PAYMENT_ADJUSTMENT_DATA':
      return processAdjustmentXml(feed, content, context);
    default:
      return fatalText(`Feed type ${feed.feedType} is not supported: use JSON_LISTINGS_FEED for listings.`);
  }
}

function fatalText(message: string): FeedOutcome {
  return { status: 'FATAL', report: { contentType: 'text/plain; charset=UTF-8', content: `${message}\n` } };
}

// ---- JSON_LISTINGS_FEED ----

interface JsonIssue extends ListingIssue {
  messageId: number;
}

function processListingsFeed(feed: StoredFeed, content: string, { listings }: FeedContext): FeedOutcome {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    return listingsReport(
      feed,
      'FATAL',
      [{ messageId: 0, code: '4000003', message: 'The feed document is not valid JSON.', severity: 'ERROR' }],
      0,
      0,
    );
  }
  const header = isRecord(document) && isRecord(document.header) ? document.header : undefined;
  const messages = isRecord(document) && Array.isArray(document.messages) ? document.messages : undefined;
  if (!header || !messages || header.sellerId !== feed.sellerId || header.version !== '2.0') {
    const message = 'The feed needs header.sellerId (the seller of the feed), header.version "2.0" and messages[].';
    return listingsReport(feed, 'FATAL', [{ messageId: 0, code: '4000003', message, severity: 'ERROR' }], 0, 0);
  }
  const issues: JsonIssue[] = [];
  let accepted = 0;
  for (const raw of messages) {
    const message = isRecord(raw) ? raw : {};
    const messageId = typeof message.messageId === 'number' ? message.messageId : 0;
    const messageIssues = applyListingsMessage(feed, message, listings);
    issues.push(...messageIssues.map((issue) => ({ messageId, ...issue })));
    if (!messageIssues.some((issue) => issue.severity === 'ERROR')) accepted += 1;
  }
  return listingsReport(feed, 'DONE', issues, messages.length, accepted);
}

function applyListingsMessage(feed: StoredFeed, message: Record<string, unknown>, listings: ListingStore): ListingIssue[] {
  const error = (code: string, text: string): ListingIssue[] => [{ code, message: text, severity: 'ERROR' }];
  const { sku, operationType, productType } = message;
  if (typeof message.messageId !== 'number' || !Number.isInteger(message.messageId))
    return error('4000001', 'messageId must be an integer.');
  if (typeof sku !== 'string' || sku === '') return error('4000001', 'sku is required.');
  const listing = listings.get(feed.sellerId, sku);
  switch (operationType) {
    case 'DELETE':
      if (!listing) return error('NOT_FOUND', `SKU '${sku}' has no listing to delete.`);
      listings.remove(feed.sellerId, sku);
      return [];
    case 'PATCH': {
      if (!listing) return error('NOT_FOUND', `SKU '${sku}' has no listing for seller ${feed.sellerId}.`);
      if (typeof productType !== 'string') return error('4000001', 'productType is required.');
      const { patches, issues } = validatePatches(message.patches);
      if (issues.length > 0) return issues;
      listings.applyPatches(listing, patches, `feed:${feed.feedId}`);
      return [];
    }
    case 'UPDATE':
    case 'PARTIAL_UPDATE': {
      if (!isRecord(message.attributes)) return error('4000001', 'attributes are required.');
      if (operationType === 'PARTIAL_UPDATE' && !listing) return error('NOT_FOUND', `SKU '${sku}' has no listing to update.`);
      const patches: ListingPatch[] = Object.entries(message.attributes).map(([name, value]) => ({
        op: 'replace',
        path: `/attributes/${name}`,
        value: value as unknown[],
      }));
      const { patches: valid, issues } = validatePatches(patches);
      if (issues.length > 0) return issues;
      const target =
        listing ??
        listings.upsert({ sellerId: feed.sellerId, sku, productType: typeof productType === 'string' ? productType : undefined });
      listings.applyPatches(target, valid, `feed:${feed.feedId}`);
      return [];
    }
    default:
      return error('4000001', 'operationType must be one of UPDATE, PARTIAL_UPDATE, PATCH, DELETE.');
  }
}

function listingsReport(feed: StoredFeed, status: 'DONE' | 'FATAL', issues: JsonIssue[], processed: number, accepted: number): FeedOutcome {
  const report = {
    header: { sellerId: feed.sellerId, version: '2.0', feedId: feed.feedId },
    issues: issues.map(({ messageId, code, severity, message, attributeNames }) => ({
      messageId,
      code,
      severity,
      message,
      ...(attributeNames?.[0] ? { attributeName: attributeNames[0] } : {}),
    })),
    summary: {
      errors: issues.filter((issue) => issue.severity === 'ERROR').length,
      warnings: issues.filter((issue) => issue.severity === 'WARNING').length,
      messagesProcessed: processed,
      messagesAccepted: accepted,
      messagesInvalid: processed - accepted,
    },
  };
  return { status, report: { contentType: 'application/json', content: JSON.stringify(report) } };
}

// ---- order feeds ----

interface OrderFeedError {
  record: number;
  amazonOrderId: string;
  code: string;
  message: string;
}

function orderOf(feed: StoredFeed, orders: OrderStore, amazonOrderId: string): StoredOrder | undefined {
  const order = orders.get(amazonOrderId);
  return order?.sellerId === feed.sellerId ? order : undefined;
}

/** Cancels one whole item (its unshipped units); an error message when that is not possible. */
function cancelItem(feed: StoredFeed, context: FeedContext, order: StoredOrder, orderItemId: string, reason: string): string | undefined {
  const item = order.items.find((candidate) => candidate.orderItemId === orderItemId);
  if (!item) return `Order item ${orderItemId} is not part of order ${order.amazonOrderId}.`;
  if (!(CANCEL_REASONS as readonly string[]).includes(reason)) return `Cancellation reason ${reason} is not valid.`;
  const open = item.quantityOrdered - item.quantityShipped - item.quantityCancelled;
  if (open <= 0) return `Order item ${orderItemId} has nothing left to cancel.`;
  item.quantityCancelled += open;
  order.cancellations.push({ feedId: feed.feedId, orderItemId, reason, at: new Date(context.now()).toISOString() });
  context.orders.settleStatus(order);
  return undefined;
}

function processAcknowledgementXml(feed: StoredFeed, content: string, context: FeedContext): FeedOutcome {
  const messages = xmlElements(content, 'Message');
  if (!content.includes('<AmazonEnvelope') || xmlText(content, 'MessageType') !== 'OrderAcknowledgement' || messages.length === 0) {
    return xmlReport(
      feed,
      0,
      [
        {
          record: 0,
          amazonOrderId: '',
          code: '5001',
          message: 'XML Parsing Fatal Error: expected an AmazonEnvelope of OrderAcknowledgement messages.',
        },
      ],
      'FATAL',
    );
  }
  const errors: OrderFeedError[] = [];
  for (const message of messages) {
    const record = Number(xmlText(message, 'MessageID') ?? '0');
    const acknowledgement = xmlElements(message, 'OrderAcknowledgement')[0] ?? '';
    const amazonOrderId = xmlText(acknowledgement, 'AmazonOrderID') ?? '';
    const statusCode = xmlText(acknowledgement, 'StatusCode');
    const fail = (code: string, text: string) => errors.push({ record, amazonOrderId, code, message: text });
    const order = orderOf(feed, context.orders, amazonOrderId);
    if (!order) {
      fail('18028', `The order id ${amazonOrderId} was not found for this seller.`);
      continue;
    }
    if (statusCode === 'Success') {
      if (order.status === 'Canceled') {
        fail('18030', `Order ${amazonOrderId} is canceled and cannot be acknowledged.`);
        continue;
      }
      order.acknowledgements.push({
        feedId: feed.feedId,
        statusCode: 'Success',
        merchantOrderId: xmlText(acknowledgement, 'MerchantOrderID') ?? null,
        at: new Date(context.now()).toISOString(),
      });
      context.orders.touch(order);
    } else if (statusCode === 'Failure') {
      const items = xmlElements(acknowledgement, 'Item');
      if (items.length === 0) {
        fail('18031', 'A Failure acknowledgement must name the items to cancel with their CancelReason.');
        continue;
      }
      for (const item of items) {
        const problem = cancelItem(feed, context, order, xmlText(item, 'AmazonOrderItemCode') ?? '', xmlText(item, 'CancelReason') ?? '');
        if (problem) fail('18032', problem);
      }
      order.acknowledgements.push({
        feedId: feed.feedId,
        statusCode: 'Failure',
        merchantOrderId: null,
        at: new Date(context.now()).toISOString(),
      });
    } else {
      fail('5000', `StatusCode must be Success or Failure, got ${statusCode ?? 'nothing'}.`);
    }
  }
  return xmlReport(feed, messages.length, errors, 'DONE');
}

function xmlReport(feed: StoredFeed, processed: number, errors: OrderFeedError[], status: 'DONE' | 'FATAL'): FeedOutcome {
  const failedRecords = new Set(errors.map((error) => error.record)).size;
  const results = errors
    .map(
      (error) => `
      <Result>
        <MessageID>${error.record}</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>${error.code}</ResultMessageCode>
        <ResultDescription>${escapeXml(error.message)}</ResultDescription>
        <AdditionalInfo><AmazonOrderID>${escapeXml(error.amazonOrderId)}</AmazonOrderID></AdditionalInfo>
      </Result>`,
    )
    .join('');
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.02</DocumentVersion>
    <MerchantIdentifier>${escapeXml(feed.sellerId)}</MerchantIdentifier>
  </Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>${feed.feedId}</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed>${processed}</MessagesProcessed>
        <MessagesSuccessful>${processed - failedRecords}</MessagesSuccessful>
        <MessagesWithError>${failedRecords}</MessagesWithError>
        <MessagesWithWarning>0</MessagesWithWarning>
      </ProcessingSummary>${results}
    </ProcessingReport>
  </Message>
</AmazonEnvelope>
`;
  return { status, report: { contentType: 'text/xml; charset=UTF-8', content } };
}

const FLAT_FILE_COLUMNS = ['order-id', 'amazon-order-item-code', 'cancellation-reason-code'];

function processCancellationFlatFile(feed: StoredFeed, content: string, context: FeedContext): FeedOutcome {
  const lines = content.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split('\t').map((column) => column.trim());
  if (FLAT_FILE_COLUMNS.some((column) => !header.includes(column))) {
    return fatalText(`The flat file needs the columns ${FLAT_FILE_COLUMNS.join(', ')} in its first row.`);
  }
  const errors: OrderFeedError[] = [];
  const rows = lines.slice(1);
  rows.forEach((line, index) => {
    const cells = line.split('\t');
    const value = (column: string) => (cells[header.indexOf(column)] ?? '').trim();
    const record = index + 1;
    const amazonOrderId = value('order-id');
    const order = orderOf(feed, context.orders, amazonOrderId);
    if (!order) {
      errors.push({ record, amazonOrderId, code: '18028', message: `The order id ${amazonOrderId} was not found for this seller.` });
      return;
    }
    const problem = cancelItem(feed, context, order, value('amazon-order-item-code'), value('cancellation-reason-code'));
    if (problem) errors.push({ record, amazonOrderId, code: '18032', message: problem });
  });
  const report = [
    'Feed Processing Summary:',
    `\tNumber of records processed\t\t${rows.length}`,
    `\tNumber of records successful\t\t${rows.length - errors.length}`,
    '',
    'original-record-number\torder-id\terror-code\terror-type\terror-message',
    ...errors.map((error) => `${error.record}\t${error.amazonOrderId}\t${error.code}\tError\t${error.message}`),
    '',
  ].join('\n');
  return { status: 'DONE', report: { contentType: 'text/plain; charset=UTF-8', content: report } };
}

// ---- POST_PAYMENT_ADJUSTMENT_DATA ----

/** OrderAdjustment's AdjustmentReason values. */
export const ADJUSTMENT_REASONS = [
  'NoInventory',
  'CustomerReturn',
  'GeneralAdjustment',
  'CouldNotShip',
  'DifferentItem',
  'Abandoned',
  'CustomerCancel',
  'PriceError',
  'ProductOutofStock',
  'CustomerAddressIncorrect',
  'Exchange',
  'Other',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'TransactionRecord',
  'Undeliverable',
  'RefusedDelivery',
] as const;
/** The reasons with which an adjustment may cancel units (QuantityCancelled). */
const UNIT_CANCELLING_REASONS = ['NoInventory', 'CustomerCancel'];
const PRICE_COMPONENTS = ['Principal', 'Shipping', 'Tax', 'ShippingTax', 'RestockingFee', 'RestockingFeeTax', 'GiftWrap', 'GiftWrapTax'];

type PlannedAdjustment = { item: StoredOrderItem; record: AdjustmentRecord } | { error: string };

/**
 * One AdjustedItem checked against the order: the item must exist; Principal and Tax are refunds
 * (positive), not more than what the buyer still pays for the item; a promotion taken back is
 * negative; the net must be a refund; QuantityCancelled (reason NoInventory or CustomerCancel)
 * cancels unshipped units, at most those open, and then Principal must be exactly their unit
 * prices and Tax at most their share of ItemTax (rounded up), both as the item stands now.
 */
function planAdjustedItem(feed: StoredFeed, context: FeedContext, order: StoredOrder, adjusted: string): PlannedAdjustment {
  const orderItemId = xmlText(adjusted, 'AmazonOrderItemCode') ?? '';
  const item = order.items.find((candidate) => candidate.orderItemId === orderItemId);
  if (!item) return { error: `Order item ${orderItemId} is not part of order ${order.amazonOrderId}.` };
  const reason = xmlText(adjusted, 'AdjustmentReason') ?? '';
  if (!(ADJUSTMENT_REASONS as readonly string[]).includes(reason))
    return { error: `Adjustment reason ${reason || 'nothing'} is not valid.` };
  const amounts = new Map<string, number>();
  const components = [
    ...xmlElements(xmlElements(adjusted, 'ItemPriceAdjustments')[0] ?? '', 'Component').map((component) => ({
      component,
      promotion: false,
    })),
    ...xmlElements(adjusted, 'PromotionAdjustments').flatMap((promotion) =>
      xmlElements(promotion, 'Component').map((component) => ({ component, promotion: true })),
    ),
  ];
  if (components.length === 0) return { error: `Order item ${orderItemId}: an AdjustedItem needs ItemPriceAdjustments components.` };
  for (const { component, promotion } of components) {
    const type = xmlText(component, 'Type') ?? '';
    const amountMatch = /<Amount\s+currency="([^"]*)"\s*>([^<]*)<\/Amount>/.exec(component);
    if (!promotion && !PRICE_COMPONENTS.includes(type)) return { error: `Component type ${type || 'nothing'} is not valid.` };
    if (!amountMatch) return { error: `Order item ${orderItemId}: component ${type} needs an Amount with its currency.` };
    const [, currency, text] = amountMatch;
    if (currency !== order.currency) return { error: `Amount currency ${currency} is not the order's currency ${order.currency}.` };
    const negative = text.trim().startsWith('-');
    const magnitude = decimalToMinor(text.trim().replace(/^-/, ''), currency);
    if (magnitude === undefined) return { error: `Amount ${text.trim()} is not a decimal amount in ${currency}.` };
    const key = promotion ? `Promotion${type}` : type;
    amounts.set(key, (amounts.get(key) ?? 0) + (negative ? -magnitude : magnitude));
  }
  const principal = amounts.get('Principal') ?? 0;
  const tax = amounts.get('Tax') ?? 0;
  const promotion = -(amounts.get('PromotionPrincipal') ?? 0);
  if (principal < 0) return { error: 'Adjustment amount for item price is a negative value.' };
  if (tax < 0) return { error: 'Adjustment amount for item tax is a negative value.' };
  if (promotion < 0) return { error: 'A promotion adjustment takes a promotion back: its amount must be negative.' };
  if (principal > chargedPrice(item) || tax > chargedTax(item))
    return { error: `The refund for order item ${orderItemId} exceeds the amount that can be refunded.` };
  if (promotion > chargedPromotion(item)) return { error: `The promotion adjustment for order item ${orderItemId} exceeds its promotion.` };
  const net = [...amounts.values()].reduce((sum, amount) => sum + amount, 0);
  if (net <= 0) return { error: 'The net adjustment amount is not a positive amount and has therefore been rejected.' };
  const quantityText = xmlText(adjusted, 'QuantityCancelled');
  let quantityCancelled = 0;
  if (quantityText !== undefined) {
    quantityCancelled = Number(quantityText);
    const open = item.quantityOrdered - item.quantityShipped - item.quantityCancelled;
    if (!Number.isInteger(quantityCancelled) || quantityCancelled < 1) return { error: 'QuantityCancelled must be a positive integer.' };
    if (!UNIT_CANCELLING_REASONS.includes(reason))
      return { error: `QuantityCancelled needs the adjustment reason NoInventory or CustomerCancel, not ${reason}.` };
    if (quantityCancelled > open)
      return { error: `QuantityCancelled ${quantityCancelled} is more than the ${open} units of order item ${orderItemId} left to ship.` };
    // Against what the buyer pays now for the units not cancelled (an earlier adjustment took its units out).
    const units = item.quantityOrdered - item.quantityCancelled;
    const unitPrice = chargedPrice(item) / units;
    if (principal !== unitPrice * quantityCancelled) {
      return {
        error: `Principal does not match QuantityCancelled: ${quantityCancelled} units of order item ${orderItemId} cost ${unitPrice * quantityCancelled} minor units, not ${principal}.`,
      };
    }
    const taxShare = Math.ceil((chargedTax(item) * quantityCancelled) / units);
    if (tax > taxShare) {
      return {
        error: `Tax does not match QuantityCancelled: ${quantityCancelled} units of order item ${orderItemId} carry at most ${taxShare} minor units of tax, not ${tax}.`,
      };
    }
  }
  return {
    item,
    record: {
      feedId: feed.feedId,
      orderItemId,
      merchantAdjustmentItemId: xmlText(adjusted, 'MerchantAdjustmentItemID') ?? null,
      reason,
      quantityCancelled,
      principalMinor: principal,
      taxMinor: tax,
      promotionMinor: promotion,
      at: new Date(context.now()).toISOString(),
    },
  };
}

function processAdjustmentXml(feed: StoredFeed, content: string, context: FeedContext): FeedOutcome {
  const messages = xmlElements(content, 'Message');
  if (!content.includes('<AmazonEnvelope') || xmlText(content, 'MessageType') !== 'OrderAdjustment' || messages.length === 0) {
    const message = 'XML Parsing Fatal Error: expected an AmazonEnvelope of OrderAdjustment messages.';
    return xmlReport(feed, 0, [{ record: 0, amazonOrderId: '', code: '5001', message }], 'FATAL');
  }
  const errors: OrderFeedError[] = [];
  for (const message of messages) {
    const record = Number(xmlText(message, 'MessageID') ?? '0');
    const adjustment = xmlElements(message, 'OrderAdjustment')[0] ?? '';
    const amazonOrderId = xmlText(adjustment, 'AmazonOrderID') ?? '';
    const order = orderOf(feed, context.orders, amazonOrderId);
    if (!order) {
      errors.push({ record, amazonOrderId, code: '18028', message: `The order id ${amazonOrderId} was not found for this seller.` });
      continue;
    }
    if (order.fulfillmentChannel === 'AFN') {
      errors.push({
        record,
        amazonOrderId,
        code: '18033',
        message: `Order ${amazonOrderId} is fulfilled by Amazon: refund it in Seller Central.`,
      });
      continue;
    }
    const adjustedItems = xmlElements(adjustment, 'AdjustedItem');
    if (adjustedItems.length === 0) {
      errors.push({ record, amazonOrderId, code: '18033', message: 'An OrderAdjustment needs at least one AdjustedItem.' });
      continue;
    }
    // A message applies whole or not at all: every item is checked before any is applied.
    const planned = adjustedItems.map((adjusted) => planAdjustedItem(feed, context, order, adjusted));
    const problems = planned.filter((plan): plan is { error: string } => 'error' in plan);
    if (problems.length > 0) {
      for (const problem of problems) errors.push({ record, amazonOrderId, code: '18033', message: problem.error });
      continue;
    }
    for (const plan of planned as Array<{ item: StoredOrderItem; record: AdjustmentRecord }>) {
      plan.item.refundedPrincipalMinor += plan.record.principalMinor;
      plan.item.refundedTaxMinor += plan.record.taxMinor;
      plan.item.promotionTakenBackMinor += plan.record.promotionMinor;
      plan.item.quantityCancelled += plan.record.quantityCancelled;
      order.adjustments.push(plan.record);
    }
    context.orders.settleStatus(order);
  }
  return xmlReport(feed, messages.length, errors, 'DONE');
}
