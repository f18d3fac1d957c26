// Pure planning of availability pushes to Amazon: one patchListingsItem per SKU while the backlog
// is small (fast, 5 requests/s), one JSON_LISTINGS_FEED when it is large (one call for thousands
// of SKUs, but minutes of processing and one feed every two minutes). Both send a JSON Patch of
// `fulfillment_availability` with the DEFAULT (seller-fulfilled) channel, and both are confirmed
// only by Amazon's verdict: the submission status, or the feed's processing report.
import type { ListingsIssue, ListingsSubmission } from '../amazon/sp-api.types.js';
import type { ListingsFeedItem } from '../feeds/feed-submission.entity.js';

export const LISTINGS_FEED_TYPE = 'JSON_LISTINGS_FEED';
export const LISTINGS_FEED_CONTENT_TYPE = 'application/json; charset=UTF-8';
/** Partial updates of listings whose full product type is not known to the adapter. */
export const LISTINGS_PRODUCT_TYPE = 'PRODUCT';

export interface PendingListing {
  sku: string;
  desiredQuantity: number;
  desiredVersion: number;
  sourceChangedAt: Date | null;
}

export interface RefusedListing {
  sku: string;
  version: number;
  code: string;
  message: string;
}

export type PushMethod = 'patch' | 'feed';

/** A feed once more SKUs wait than the threshold; single patches otherwise. */
export function pushMethodFor(pendingCount: number, feedThreshold: number): PushMethod {
  return pendingCount > feedThreshold ? 'feed' : 'patch';
}

export function availabilityPatches(quantity: number): unknown[] {
  return [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }];
}

export function patchBody(quantity: number): { productType: string; patches: unknown[] } {
  return { productType: LISTINGS_PRODUCT_TYPE, patches: availabilityPatches(quantity) };
}

export function listingsFeedItems(rows: readonly PendingListing[]): ListingsFeedItem[] {
  return rows.map((row, index) => ({
    messageId: index + 1,
    sku: row.sku,
    version: row.desiredVersion,
    quantity: row.desiredQuantity,
    sourceChangedAt: row.sourceChangedAt?.toISOString() ?? null,
  }));
}

export function listingsFeedDocument(sellerId: string, items: readonly ListingsFeedItem[]): string {
  return JSON.stringify({
    header: { sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: items.map((item) => ({
      messageId: item.messageId,
      sku: item.sku,
      operationType: 'PATCH',
      productType: LISTINGS_PRODUCT_TYPE,
      patches: availabilityPatches(item.quantity),
    })),
  });
}

/** The refusal of an INVALID submission, undefined when Amazon accepted it. */
export function refusalOfSubmission(item: { sku: string; version: number }, submission: ListingsSubmission): RefusedListing | undefined {
  if (submission.status === 'ACCEPTED') return undefined;
  return { sku: item.sku, version: item.version, ...firstError(submission.issues) };
}

function firstError(issues: readonly ListingsIssue[]): { code: string; message: string } {
  const issue = issues.find((candidate) => candidate.severity === 'ERROR') ?? issues[0];
  return { code: issue?.code ?? 'INVALID', message: issue?.message ?? 'Amazon answered INVALID without issues' };
}

export type ListingsReportReading = { ok: true; accepted: ListingsFeedItem[]; refused: RefusedListing[] } | { ok: false; reason: string };

/**
 * Reads a JSON_LISTINGS_FEED processing report against what the feed carried: a message with an
 * ERROR issue is refused, every other message is accepted. A report that is not the expected
 * JSON (or of another feed) gives no verdict.
 */
export function readListingsReport(report: string, feedId: string, items: readonly ListingsFeedItem[]): ListingsReportReading {
  let parsed: unknown;
  try {
    parsed = JSON.parse(report);
  } catch {
    return { ok: false, reason: 'the processing report is not JSON' };
  }
  const { header, issues, summary } = (parsed ?? {}) as { header?: { feedId?: unknown }; issues?: unknown; summary?: unknown };
  if (!Array.isArray(issues) || typeof summary !== 'object' || summary === null)
    return { ok: false, reason: 'the processing report has no issues or summary' };
  if (header?.feedId !== undefined && String(header.feedId) !== feedId)
    return { ok: false, reason: `the processing report is of feed ${String(header.feedId)}` };
  const errors = new Map<number, { code: string; message: string }>();
  for (const raw of issues) {
    const issue = raw as { messageId?: unknown; code?: unknown; message?: unknown; severity?: unknown };
    if (issue?.severity !== 'ERROR' || typeof issue.messageId !== 'number') continue;
    if (!errors.has(issue.messageId))
      errors.set(issue.messageId, { code: String(issue.code ?? 'ERROR'), message: String(issue.message ?? '') });
  }
  const accepted: ListingsFeedItem[] = [];
  const refused: RefusedListing[] = [];
  for (const item of items) {
    const error = errors.get(item.messageId);
    if (error) refused.push({ sku: item.sku, version: item.version, ...error });
    else accepted.push(item);
  }
  return { ok: true, accepted, refused };
}
