// Shopify's GraphQL rate limit: a leaky bucket of cost points per app and store. A query is
// charged its requested cost up front and refunded the difference once its actual cost is known
// (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class CostBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    private maximumAvailable: number,
    private restoreRate: number,
    private readonly now: () => number,
  ) {
    this.available = maximumAvailable;
    this.updatedAt = now();
  }

  configure(settings: Partial<ThrottleStatus>): void {
    this.refill();
    if (settings.maximumAvailable !== undefined) this.maximumAvailable = settings.maximumAvailable;
    if (settings.restoreRate !== undefined) this.restoreRate = settings.restoreRate;
    this.available = Math.min(settings.currentlyAvailable ?? this.available, this.maximumAvailable);
  }

  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }

  /** Takes the cost if the bucket holds it; otherwise takes nothing. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.available = Math.min(this.maximumAvailable, this.available + Math.max(0, points));
  }

  /** Whole seconds until the bucket holds `cost` (at least 1), for Retry-After. */
  secondsUntil(cost: number): number {
    this.refill();
    const missing = cost - this.available;
    if (this.restoreRate <= 0) return 60;
    return Math.max(1, Math.ceil(missing / this.restoreRate));
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.available = Math.min(this.maximumAvailable, this.available + elapsedSeconds * this.restoreRate);
    this.updatedAt = now;
  }
}
