import { Injectable } from '@nestjs/common';
import { ErpHttpClient, ErpMalformedResponseError } from './erp-http.client.js';

// The ERP change feed: a RESTlet over the ERP's change-log record (NetSuite has no native change
// feed). `GET /app/site/hosting/restlet.nl?script=…&deploy=…&after=<cursor>&limit=<n>` answers
// `{ items, hasMore, nextCursor }`, oldest first, every record type in one sequence (stock
// changes, item fulfillments, sales order cancellations). Items are returned raw: each one is
// validated on its own (change-feed/feed-record.ts) so one bad record cannot hide the others. The
// script id predates the order records.

export const CHANGE_FEED_RESTLET_PATH = '/app/site/hosting/restlet.nl';
export const CHANGE_FEED_SCRIPT_ID = 'customscript_rm_stock_feed';
export const CHANGE_FEED_DEPLOYMENT_ID = '1';

export interface ChangeFeedPage {
  items: unknown[];
  hasMore: boolean;
  /** The cursor to read after next time. Never behind the cursor the page was read after. */
  nextCursor: string;
}

const CURSOR_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

export function isChangeFeedCursor(value: unknown): value is string {
  return typeof value === 'string' && CURSOR_PATTERN.test(value) && Number.isSafeInteger(Number(value));
}

@Injectable()
export class ErpChangeFeedClient {
  constructor(private readonly http: ErpHttpClient) {}

  async readPage(after: string, limit: number, signal?: AbortSignal): Promise<ChangeFeedPage> {
    const query = new URLSearchParams({ script: CHANGE_FEED_SCRIPT_ID, deploy: CHANGE_FEED_DEPLOYMENT_ID, after, limit: String(limit) });
    const body = await this.http.getJson(`${CHANGE_FEED_RESTLET_PATH}?${query}`, signal);
    return parseChangeFeedPage(body, after);
  }
}

/**
 * Checks the page envelope. A page that would move the cursor backwards, or not move it past
 * records it returned, is refused: acting on it could skip or re-read changes forever.
 */
export function parseChangeFeedPage(body: unknown, after: string): ChangeFeedPage {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ErpMalformedResponseError('change feed page is not a JSON object');
  const { items, hasMore, nextCursor } = body as Record<string, unknown>;
  if (!Array.isArray(items)) throw new ErpMalformedResponseError('change feed page has no items array');
  if (typeof hasMore !== 'boolean') throw new ErpMalformedResponseError('change feed page has no boolean hasMore');
  if (!isChangeFeedCursor(nextCursor))
    throw new ErpMalformedResponseError(`change feed page has an invalid nextCursor ${JSON.stringify(nextCursor)}`);
  const from = Number(after);
  const to = Number(nextCursor);
  if (to < from || (items.length > 0 && to === from)) {
    throw new ErpMalformedResponseError(`change feed page read after ${after} returned ${items.length} items and nextCursor ${nextCursor}`);
  }
  return { items, hasMore, nextCursor };
}
