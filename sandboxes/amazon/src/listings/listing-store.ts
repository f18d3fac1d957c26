// Listings Items 2021-08-01 as far as availability needs it: a listing per seller x SKU with its
// attributes (JSON Patch on top-level attributes), where `fulfillment_availability` carries the
// quantity. A PATCH answers ACCEPTED at once but is applied asynchronously (ACCEPTED is not
// applied): the sandbox queues it and applies it when it is due, in the order received.

export const PATCH_OPS = ['add', 'replace', 'merge', 'delete'] as const;
export type PatchOp = (typeof PATCH_OPS)[number];

export interface ListingPatch {
  op: PatchOp;
  /** `/attributes/<name>`: only top-level attributes can be patched. */
  path: string;
  value?: unknown[];
}

export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
}

export interface AppliedQuantity {
  quantity: number | null;
  /** `patch:<submissionId>` or `feed:<feedId>`. */
  source: string;
  at: string;
}

export interface StoredListing {
  sellerId: string;
  sku: string;
  asin: string;
  productType: string;
  createdAt: string;
  updatedAt: string;
  attributes: Record<string, unknown[]>;
  history: AppliedQuantity[];
}

export interface QueuedSubmission {
  submissionId: string;
  sellerId: string;
  sku: string;
  patches: ListingPatch[];
  dueAt: number;
  sequence: number;
}

const AVAILABILITY = 'fulfillment_availability';

/** Checks a patch list the way the API does before accepting it; an empty list means valid. */
export function validatePatches(patches: unknown): { patches: ListingPatch[]; issues: ListingIssue[] } {
  const issues: ListingIssue[] = [];
  const valid: ListingPatch[] = [];
  if (!Array.isArray(patches) || patches.length === 0) {
    return { patches: [], issues: [{ code: 'INVALID_PATCH', message: 'patches must be a non-empty array', severity: 'ERROR' }] };
  }
  for (const [index, raw] of patches.entries()) {
    const patch = raw as { op?: unknown; path?: unknown; value?: unknown };
    const name = typeof patch?.path === 'string' ? /^\/attributes\/([a-z0-9_]+)$/.exec(patch.path)?.[1] : undefined;
    if (!PATCH_OPS.includes(patch?.op as PatchOp)) {
      issues.push({ code: 'INVALID_PATCH', message: `patches[${index}].op must be one of ${PATCH_OPS.join(', ')}`, severity: 'ERROR' });
      continue;
    }
    if (name === undefined) {
      issues.push({ code: 'INVALID_PATCH', message: `patches[${index}].path must be /attributes/<attribute>`, severity: 'ERROR' });
      continue;
    }
    if (patch.op !== 'delete' && (!Array.isArray(patch.value) || patch.value.length === 0)) {
      issues.push({
        code: 'INVALID_PATCH',
        message: `patches[${index}].value must be a non-empty array`,
        severity: 'ERROR',
        attributeNames: [name],
      });
      continue;
    }
    if (name === AVAILABILITY && patch.op !== 'delete') {
      const problem = (patch.value as unknown[]).map(availabilityProblem).find((message) => message !== undefined);
      if (problem) {
        issues.push({ code: '90220', message: `'${AVAILABILITY}' ${problem}`, severity: 'ERROR', attributeNames: [AVAILABILITY] });
        continue;
      }
    }
    valid.push({ op: patch.op as PatchOp, path: patch.path as string, value: patch.value as unknown[] | undefined });
  }
  return { patches: valid, issues };
}

function availabilityProblem(entry: unknown): string | undefined {
  const value = entry as { fulfillment_channel_code?: unknown; quantity?: unknown };
  if (typeof value?.fulfillment_channel_code !== 'string' || value.fulfillment_channel_code === '')
    return 'needs fulfillment_channel_code (DEFAULT for seller-fulfilled offers)';
  if (value.quantity !== undefined && (!Number.isSafeInteger(value.quantity) || (value.quantity as number) < 0))
    return 'quantity must be a non-negative integer';
  return undefined;
}

/** The DEFAULT (seller-fulfilled) quantity of a listing, null when it has none. */
export function defaultQuantity(listing: StoredListing): number | null {
  const entry = (listing.attributes[AVAILABILITY] ?? []).find(
    (candidate) => (candidate as { fulfillment_channel_code?: unknown }).fulfillment_channel_code === 'DEFAULT',
  ) as { quantity?: number } | undefined;
  return entry?.quantity ?? null;
}

export class ListingStore {
  private readonly listings = new Map<string, StoredListing>();
  private readonly queue: QueuedSubmission[] = [];
  private nextSubmission = 1;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.listings.clear();
    this.queue.length = 0;
    this.nextSubmission = 1;
  }

  get(sellerId: string, sku: string): StoredListing | undefined {
    return this.listings.get(`${sellerId}|${sku}`);
  }

  list(): StoredListing[] {
    return [...this.listings.values()];
  }

  pending(sellerId: string, sku: string): number {
    return this.queue.filter((submission) => submission.sellerId === sellerId && submission.sku === sku).length;
  }

  upsert(seed: { sellerId: string; sku: string; productType?: string; quantity?: number }): StoredListing {
    const now = new Date(this.now()).toISOString();
    const key = `${seed.sellerId}|${seed.sku}`;
    const listing = this.listings.get(key) ?? {
      sellerId: seed.sellerId,
      sku: seed.sku,
      asin: `B0${String(this.listings.size + 1).padStart(8, '0')}`,
      productType: seed.productType ?? 'PRODUCT',
      createdAt: now,
      updatedAt: now,
      attributes: {},
      history: [],
    };
    if (seed.productType !== undefined) listing.productType = seed.productType;
    if (seed.quantity !== undefined) listing.attributes[AVAILABILITY] = [{ fulfillment_channel_code: 'DEFAULT', quantity: seed.quantity }];
    this.listings.set(key, listing);
    return listing;
  }

  remove(sellerId: string, sku: string): boolean {
    return this.listings.delete(`${sellerId}|${sku}`);
  }

  /** Queues an accepted PATCH; it is applied at `dueAt` by `apply`. */
  enqueue(sellerId: string, sku: string, patches: ListingPatch[], dueAt: number, sequence: number): string {
    const submissionId = `sub-${String(this.nextSubmission++).padStart(8, '0')}`;
    this.queue.push({ submissionId, sellerId, sku, patches, dueAt, sequence });
    return submissionId;
  }

  /** Submissions due at `now` (all when `now` is undefined), removed from the queue. */
  takeDue(now: number | undefined): QueuedSubmission[] {
    const due = this.queue.filter((submission) => now === undefined || submission.dueAt <= now);
    for (const submission of due) this.queue.splice(this.queue.indexOf(submission), 1);
    return due;
  }

  /** Applies patches to an existing listing, recording a quantity change in its history. */
  applyPatches(listing: StoredListing, patches: readonly ListingPatch[], source: string): void {
    let touchedAvailability = false;
    for (const patch of patches) {
      const name = patch.path.slice('/attributes/'.length);
      if (name === AVAILABILITY) touchedAvailability = true;
      if (patch.op === 'delete') delete listing.attributes[name];
      else if (patch.op === 'merge') listing.attributes[name] = mergeByChannel(listing.attributes[name] ?? [], patch.value ?? []);
      else listing.attributes[name] = patch.value ?? [];
    }
    listing.updatedAt = new Date(this.now()).toISOString();
    if (touchedAvailability) listing.history.push({ quantity: defaultQuantity(listing), source, at: listing.updatedAt });
  }
}

/** `merge`: entries matched by their selector (fulfillment_channel_code / marketplace_id) are updated in place. */
function mergeByChannel(current: unknown[], incoming: unknown[]): unknown[] {
  const merged = current.map((entry) => ({ ...(entry as Record<string, unknown>) }));
  for (const raw of incoming) {
    const entry = raw as Record<string, unknown>;
    const selector = (candidate: Record<string, unknown>) =>
      candidate.fulfillment_channel_code === entry.fulfillment_channel_code && candidate.marketplace_id === entry.marketplace_id;
    const existing = merged.find(selector);
    if (existing) Object.assign(existing, entry);
    else merged.push({ ...entry });
  }
  return merged;
}
