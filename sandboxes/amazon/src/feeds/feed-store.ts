// Feeds 2021-06-30: feed documents (uploaded to and downloaded from pre-signed URLs the sandbox
// serves itself) and feeds whose processingStatus moves IN_QUEUE → IN_PROGRESS → DONE (or FATAL)
// with time, deterministically from the creation time, or at once through the admin route.
// Processing happens at the end of IN_PROGRESS: the feed type's processor applies the content and
// writes the processing report, which becomes the result feed document.
import { createHmac, randomBytes } from 'node:crypto';

export const PROCESSING_STATUSES = ['IN_QUEUE', 'IN_PROGRESS', 'DONE', 'FATAL', 'CANCELLED'] as const;
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];

/** How long a pre-signed URL stays valid (Amazon: 5 minutes). */
export const PRESIGNED_URL_TTL_SECONDS = 300;
export const DOCUMENT_PATH_PREFIX = '/s3/rm-sandbox-feeds/';

export interface FeedDocument {
  feedDocumentId: string;
  sellerId: string;
  contentType: string;
  content: string | null;
  createdAt: number;
}

export interface StoredFeed {
  feedId: string;
  sellerId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdAt: number;
  startAt: number;
  doneAt: number;
  sequence: number;
  processingStatus: ProcessingStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}

export class FeedStore {
  private readonly documents = new Map<string, FeedDocument>();
  private readonly feeds = new Map<string, StoredFeed>();
  private readonly signingKey = randomBytes(32);
  private nextDocument = 1;
  private nextFeed = 1;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.documents.clear();
    this.feeds.clear();
    this.nextDocument = 1;
    this.nextFeed = 1;
  }

  createDocument(sellerId: string, contentType: string, content: string | null = null): FeedDocument {
    const feedDocumentId = `amzn1.tortuga.4.na.${String(this.nextDocument++).padStart(10, '0')}.${randomBytes(6).toString('hex')}`;
    const document: FeedDocument = { feedDocumentId, sellerId, contentType, content, createdAt: this.now() };
    this.documents.set(feedDocumentId, document);
    return document;
  }

  document(feedDocumentId: string): FeedDocument | undefined {
    return this.documents.get(feedDocumentId);
  }

  /** A pre-signed URL of the document: method, id and expiry are signed, so it cannot be reused for another. */
  presignedUrl(baseUrl: string, document: FeedDocument, method: 'GET' | 'PUT'): string {
    const date = new Date(this.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': date,
      'X-Amz-Expires': String(PRESIGNED_URL_TTL_SECONDS),
      'X-Amz-SignedHeaders': method === 'PUT' ? 'content-type;host' : 'host',
    });
    query.set('X-Amz-Signature', this.signature(method, document, date));
    return `${baseUrl}${DOCUMENT_PATH_PREFIX}${encodeURIComponent(document.feedDocumentId)}?${query}`;
  }

  /** Why a pre-signed request is refused (S3's codes), or undefined when it is valid. */
  checkPresigned(method: 'GET' | 'PUT', document: FeedDocument, query: URLSearchParams): { code: string; message: string } | undefined {
    const date = query.get('X-Amz-Date') ?? '';
    const signature = query.get('X-Amz-Signature') ?? '';
    if (signature !== this.signature(method, document, date)) {
      return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    const issuedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isFinite(issuedAt) || this.now() > issuedAt + PRESIGNED_URL_TTL_SECONDS * 1000) {
      return { code: 'AccessDenied', message: 'Request has expired' };
    }
    return undefined;
  }

  createFeed(input: Omit<StoredFeed, 'feedId' | 'processingStatus'>): StoredFeed {
    const feed: StoredFeed = { ...input, feedId: String(50_000_000_000 + this.nextFeed++), processingStatus: 'IN_QUEUE' };
    this.feeds.set(feed.feedId, feed);
    return feed;
  }

  feed(feedId: string): StoredFeed | undefined {
    return this.feeds.get(feedId);
  }

  list(): StoredFeed[] {
    return [...this.feeds.values()];
  }

  /** Moves queued feeds to IN_PROGRESS once their start time passed. */
  start(now: number | undefined): void {
    for (const feed of this.feeds.values()) {
      if (feed.processingStatus === 'IN_QUEUE' && (now === undefined || feed.startAt <= now)) {
        feed.processingStatus = 'IN_PROGRESS';
        feed.processingStartTime = new Date(this.now()).toISOString();
      }
    }
  }

  /** Feeds whose processing is due (all unfinished ones when `now` is undefined), oldest first. */
  due(now: number | undefined): StoredFeed[] {
    return [...this.feeds.values()].filter(
      (feed) =>
        (feed.processingStatus === 'IN_QUEUE' || feed.processingStatus === 'IN_PROGRESS') && (now === undefined || feed.doneAt <= now),
    );
  }

  finish(feed: StoredFeed, status: 'DONE' | 'FATAL', report: { contentType: string; content: string }): void {
    const document = this.createDocument(feed.sellerId, report.contentType, report.content);
    feed.processingStatus = status;
    feed.processingStartTime ??= new Date(this.now()).toISOString();
    feed.processingEndTime = new Date(this.now()).toISOString();
    feed.resultFeedDocumentId = document.feedDocumentId;
  }

  private signature(method: string, document: FeedDocument, date: string): string {
    return createHmac('sha256', this.signingKey).update(`${method}\n${document.feedDocumentId}\n${date}`).digest('hex');
  }
}

export function feedView(feed: StoredFeed): Record<string, unknown> {
  const view: Record<string, unknown> = {
    feedId: feed.feedId,
    feedType: feed.feedType,
    marketplaceIds: feed.marketplaceIds,
    createdTime: new Date(feed.createdAt).toISOString(),
    processingStatus: feed.processingStatus,
  };
  if (feed.processingStartTime) view.processingStartTime = feed.processingStartTime;
  if (feed.processingEndTime) view.processingEndTime = feed.processingEndTime;
  if (feed.resultFeedDocumentId) view.resultFeedDocumentId = feed.resultFeedDocumentId;
  return view;
}
