// SP-API rate limits: a token bucket per selling partner x operation (rate = tokens per second,
// burst = bucket size), the default usage plans of the vendor's API models and rate-limit pages.
// Every answer reports the applied rate in `x-amzn-RateLimit-Limit`; an empty bucket answers 429
// QuotaExceeded for that operation only.

export interface UsagePlan {
  rate: number;
  burst: number;
}

export const OPERATIONS = [
  'getOrders',
  'getOrder',
  'getOrderItems',
  'getOrderAddress',
  'confirmShipment',
  'createFeedDocument',
  'createFeed',
  'getFeed',
  'getFeeds',
  'cancelFeed',
  'getFeedDocument',
  'getListingsItem',
  'patchListingsItem',
  'createRestrictedDataToken',
  'listFinancialEventsByOrderId',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Defaults from ordersV0.json, feeds-api-rate-limits, listingsItems_2021-08-01.json, tokens_2021-03-01.json and financesV0.json. */
export const DEFAULT_USAGE_PLANS: Record<Operation, UsagePlan> = {
  getOrders: { rate: 0.0167, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getOrderItems: { rate: 0.5, burst: 30 },
  getOrderAddress: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeeds: { rate: 0.0222, burst: 10 },
  cancelFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  getListingsItem: { rate: 5, burst: 10 },
  patchListingsItem: { rate: 5, burst: 10 },
  createRestrictedDataToken: { rate: 1, burst: 10 },
  listFinancialEventsByOrderId: { rate: 0.5, burst: 30 },
};

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}

interface BucketState {
  tokens: number;
  updatedAt: number;
}

export class UsagePlanBuckets {
  private plans: Record<Operation, UsagePlan>;
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly initialPlans: Partial<Record<Operation, UsagePlan>>,
    private readonly now: () => number,
  ) {
    this.plans = { ...DEFAULT_USAGE_PLANS, ...initialPlans };
  }

  reset(): void {
    this.plans = { ...DEFAULT_USAGE_PLANS, ...this.initialPlans };
    this.buckets.clear();
  }

  plan(operation: Operation): UsagePlan {
    return this.plans[operation];
  }

  /** Changes an operation's plan for every seller; its buckets start full. */
  setPlan(operation: Operation, plan: UsagePlan): void {
    this.plans[operation] = plan;
    for (const key of [...this.buckets.keys()]) if (key.endsWith(`|${operation}`)) this.buckets.delete(key);
  }

  /** Takes a token of the seller's bucket for the operation; false (nothing taken) when empty. */
  tryTake(sellerId: string, operation: Operation): boolean {
    const plan = this.plans[operation];
    const key = `${sellerId}|${operation}`;
    const now = this.now();
    const state = this.buckets.get(key) ?? { tokens: plan.burst, updatedAt: now };
    state.tokens = Math.min(plan.burst, state.tokens + (Math.max(0, now - state.updatedAt) / 1000) * plan.rate);
    state.updatedAt = now;
    this.buckets.set(key, state);
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  /** The plans in force, for the admin route. */
  view(): Array<{ operation: Operation; rate: number; burst: number }> {
    return OPERATIONS.map((operation) => ({ operation, ...this.plans[operation] }));
  }
}
