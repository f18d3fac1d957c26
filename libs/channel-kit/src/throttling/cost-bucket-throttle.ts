import { RefillingBucket } from './refilling-bucket.js';

// Shopify's GraphQL Admin API limits each app x shop by calculated query cost in a leaky bucket,
// and every response reports the bucket's true state in `extensions.cost.throttleStatus`. The
// throttle keeps a local model of that bucket, re-synchronised from each response, so requests
// wait locally for exactly the refill they need instead of being rejected as THROTTLED.

export interface ShopifyThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** `extensions.cost` of a Shopify GraphQL response. `actualQueryCost` is null when the query was throttled. */
export interface ShopifyQueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus: ShopifyThrottleStatus;
}

export interface CostBucketThrottleOptions {
  /**
   * Used until the first response tells the truth. Defaults are deliberately low (the oldest,
   * smallest published bucket: 1000 points, 50 points/s) so a fresh process cannot overrun a
   * store on a small plan.
   */
  maximumAvailable?: number;
  restoreRate?: number;
}

/** A granted request's claim on the bucket; settle it once with the response's cost, or with undefined if there was none. */
export interface CostLease {
  readonly estimatedCost: number;
  settle(cost: ShopifyQueryCost | undefined): void;
}

/** One per shop (channel account): see `KeyedRegistry`. */
export class CostBucketThrottle {
  private readonly bucket: RefillingBucket;
  // Estimated cost of granted requests whose responses have not arrived. The server's
  // `currentlyAvailable` may not include them yet, so they stay deducted when re-synchronising.
  private inFlightCost = 0;

  constructor(options: CostBucketThrottleOptions = {}) {
    this.bucket = new RefillingBucket({ capacity: options.maximumAvailable ?? 1000, refillPerSecond: options.restoreRate ?? 50 });
  }

  /**
   * Waits (FIFO, one timer) until the bucket holds `estimatedCost`, deducts it, and returns the
   * lease to settle with the response. After a THROTTLED response, settle the lease and acquire
   * again with the response's `requestedQueryCost`: the wait is then the server's exact deficit.
   */
  async acquire(estimatedCost: number, signal?: AbortSignal): Promise<CostLease> {
    await this.bucket.take(estimatedCost, signal);
    this.inFlightCost += estimatedCost;
    let settled = false;
    return {
      estimatedCost,
      settle: (cost) => {
        if (settled) return;
        settled = true;
        this.inFlightCost -= estimatedCost;
        if (cost) this.observe(cost.throttleStatus);
      },
    };
  }

  /** The local model's available points now (may be negative while in debt). */
  available(): number {
    return this.bucket.level();
  }

  /** Callers waiting for points. */
  get waiting(): number {
    return this.bucket.waiting;
  }

  private observe(status: ShopifyThrottleStatus): void {
    this.bucket.configure({ capacity: status.maximumAvailable, refillPerSecond: status.restoreRate });
    this.bucket.setLevel(status.currentlyAvailable - this.inFlightCost);
  }
}

/**
 * Reads `extensions.cost` from a parsed GraphQL response body, or undefined when it is absent
 * or malformed (a proxy error page, a sandbox fault): then the local estimate stands.
 */
export function readShopifyQueryCost(body: unknown): ShopifyQueryCost | undefined {
  const cost = (body as { extensions?: { cost?: unknown } } | null)?.extensions?.cost as Record<string, unknown> | undefined;
  const status = cost?.throttleStatus as Record<string, unknown> | undefined;
  if (!status) return undefined;
  const { maximumAvailable, currentlyAvailable, restoreRate } = status;
  if (
    !isPositive(maximumAvailable) ||
    !isPositive(restoreRate) ||
    typeof currentlyAvailable !== 'number' ||
    !Number.isFinite(currentlyAvailable)
  ) {
    return undefined;
  }
  return {
    requestedQueryCost: typeof cost?.requestedQueryCost === 'number' ? cost.requestedQueryCost : undefined,
    actualQueryCost: typeof cost?.actualQueryCost === 'number' ? cost.actualQueryCost : null,
    throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
  };
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
