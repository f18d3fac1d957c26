// The shops (channel accounts) the sandbox hosts, each with its access token, rate-limit bucket,
// locations, variants and inventory levels. Several shops = several channel accounts of one
// channel type; a request's shop is resolved from its access token, as Shopify does.
import { CostBucket } from '../graphql/cost-bucket.js';
import type { JobState, OrderState } from '../orders/order-state.js';
import type { WebhookSubscriptionState } from '../webhooks/webhook-topics.js';

export const PLANS = { standard: 100, advanced: 200, plus: 1000, enterprise: 2000 } as const;
export type Plan = keyof typeof PLANS;

/** The REST Admin API's request-based leaky bucket per plan: bucket size and requests leaked per second. */
export const REST_LIMITS: Record<Plan, { bucketSize: number; leakPerSecond: number }> = {
  standard: { bucketSize: 40, leakPerSecond: 2 },
  advanced: { bucketSize: 80, leakPerSecond: 4 },
  plus: { bucketSize: 400, leakPerSecond: 20 },
  enterprise: { bucketSize: 400, leakPerSecond: 20 },
};

/** The quantity names a level tracks. `available` and `on_hand` move together (committed stays). */
export const QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'safety_stock',
  'quality_control',
] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];

export interface ShopSettings {
  /** Handle, e.g. `b2c-eu`; the domain is `<shop>.myshopify.com` unless a domain is given. */
  shop: string;
  accessToken: string;
  plan?: Plan;
  /** Bucket size (default 20 × restoreRate: 2000 on the standard plan). */
  maximumAvailable?: number;
  /** Points restored per second (default by plan: standard 100). */
  restoreRate?: number;
  /** Current bucket level, to start a test with a drained bucket. */
  currentlyAvailable?: number;
  /** HTTP status of a THROTTLED answer: 200 (what clients observe) or 429. */
  throttleStatusCode?: 200 | 429;
  /** The app's client secret: the key of the webhook HMAC (default `shpss_<shop>`). */
  clientSecret?: string;
  /** The shop's UTC offset in minutes: REST and webhook timestamps carry it (default -300, i.e. -05:00). */
  utcOffsetMinutes?: number;
  /** Current level of the REST bucket, to start a test with a full one (`restCallsUsed: 40`). */
  restCallsUsed?: number;
  /**
   * Shopify's index lag: REST orders.json lists an order (except by `ids`) only this long after
   * its last update (default 0: at once).
   */
  orderListLagMs?: number;
}

export interface LocationState {
  id: string;
  numericId: number;
  name: string;
  isActive: boolean;
}

export interface VariantState {
  id: string;
  numericId: number;
  sku: string;
  title: string;
  inventoryItemId: string;
}

export interface AppliedChange {
  adjustmentGroupId: string;
  name: QuantityName;
  delta: number;
  quantityAfterChange: number;
  reason: string;
  referenceDocumentUri: string | null;
  idempotencyKey: string | null;
  at: string;
}

export interface LevelState {
  inventoryItemId: string;
  locationId: string;
  quantities: Record<QuantityName, number>;
  updatedAt: string;
  /** inventorySetQuantities calls that included this level and were applied. */
  appliedMutations: number;
  history: AppliedChange[];
}

export interface AdjustmentChange {
  name: QuantityName;
  delta: number;
  quantityAfterChange: number;
  inventoryItemId: string;
  locationId: string;
}

export interface AdjustmentGroup {
  id: string;
  createdAt: string;
  reason: string;
  referenceDocumentUri: string | null;
  changes: AdjustmentChange[];
}

export interface ShopCounters {
  graphqlCalls: number;
  throttledCalls: number;
  mutationsApplied: number;
  idempotentReplays: number;
  restCalls: number;
  restThrottledCalls: number;
}

export class ShopState {
  accessToken: string;
  plan: Plan;
  throttleStatusCode: 200 | 429;
  readonly bucket: CostBucket;
  readonly locations = new Map<string, LocationState>();
  readonly variants = new Map<string, VariantState>();
  /** inventoryItemId → variantId. */
  readonly itemVariants = new Map<string, string>();
  readonly levels = new Map<string, LevelState>();
  /** Idempotency key → the request fingerprint and the payload first returned. */
  readonly idempotency = new Map<string, { fingerprint: string; result: unknown }>();
  readonly counters: ShopCounters = {
    graphqlCalls: 0,
    throttledCalls: 0,
    mutationsApplied: 0,
    idempotentReplays: 0,
    restCalls: 0,
    restThrottledCalls: 0,
  };
  clientSecret: string;
  utcOffsetMinutes: number;
  orderListLagMs: number;
  /** REST Admin API calls: `X-Shopify-Shop-Api-Call-Limit` is its used/size. */
  readonly restBucket: CostBucket;
  /** By order gid, in creation order. */
  readonly orders = new Map<string, OrderState>();
  readonly webhookSubscriptions = new Map<string, WebhookSubscriptionState>();
  /** Told of every level an applied inventorySetQuantities changed (benchmarks time arrivals with it). */
  readonly levelListeners = new Set<(level: LevelState) => void>();
  /** orderCancel's background jobs, by job gid. */
  readonly jobs = new Map<string, JobState>();
  nextOrderNumber = 1001;

  constructor(
    readonly name: string,
    readonly id: string,
    settings: ShopSettings,
    now: () => number,
  ) {
    this.accessToken = settings.accessToken;
    this.plan = settings.plan ?? 'standard';
    this.throttleStatusCode = settings.throttleStatusCode ?? 200;
    const restoreRate = settings.restoreRate ?? PLANS[this.plan];
    this.bucket = new CostBucket(settings.maximumAvailable ?? restoreRate * 20, restoreRate, now);
    if (settings.currentlyAvailable !== undefined) this.bucket.configure({ currentlyAvailable: settings.currentlyAvailable });
    this.clientSecret = settings.clientSecret ?? `shpss_${name}`;
    this.utcOffsetMinutes = settings.utcOffsetMinutes ?? -300;
    this.orderListLagMs = settings.orderListLagMs ?? 0;
    const rest = REST_LIMITS[this.plan];
    this.restBucket = new CostBucket(rest.bucketSize, rest.leakPerSecond, now);
    if (settings.restCallsUsed !== undefined) this.restBucket.configure({ currentlyAvailable: rest.bucketSize - settings.restCallsUsed });
  }

  get domain(): string {
    return this.name.includes('.') ? this.name : `${this.name}.myshopify.com`;
  }

  level(inventoryItemId: string, locationId: string): LevelState | undefined {
    return this.levels.get(levelKey(inventoryItemId, locationId));
  }

  variantOfItem(inventoryItemId: string): VariantState | undefined {
    const variantId = this.itemVariants.get(inventoryItemId);
    return variantId === undefined ? undefined : this.variants.get(variantId);
  }
}

export function levelKey(inventoryItemId: string, locationId: string): string {
  return `${inventoryItemId}|${locationId}`;
}

export function emptyQuantities(): Record<QuantityName, number> {
  return Object.fromEntries(QUANTITY_NAMES.map((name) => [name, 0])) as Record<QuantityName, number>;
}

/** The numeric tail of a gid (`gid://shopify/Location/123` → 123). */
export function numericIdOf(gid: string): number | undefined {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid);
  return match ? Number(match[1]) : undefined;
}

export type IdKind =
  | 'Shop'
  | 'Location'
  | 'ProductVariant'
  | 'InventoryItem'
  | 'InventoryAdjustmentGroup'
  | 'Order'
  | 'LineItem'
  | 'ShippingLine'
  | 'Customer'
  | 'FulfillmentOrder'
  | 'FulfillmentOrderLineItem'
  | 'Fulfillment'
  | 'FulfillmentLineItem'
  | 'Job'
  | 'WebhookSubscription'
  | 'OrderTransaction'
  | 'Refund'
  | 'RefundLineItem'
  | 'Metafield';

export class ShopRegistry {
  private readonly shops = new Map<string, ShopState>();
  // Ids in the ranges Shopify uses, distinct per kind, so a mixed-up id is never accidentally valid.
  private readonly nextIds: Record<IdKind, number> = {
    Shop: 60_000_000_001,
    Location: 70_000_000_001,
    ProductVariant: 40_000_000_001,
    InventoryItem: 45_000_000_001,
    InventoryAdjustmentGroup: 90_000_000_001,
    Order: 5_501_000_000_001,
    LineItem: 13_001_000_000_001,
    ShippingLine: 4_201_000_000_001,
    Customer: 7_301_000_000_001,
    FulfillmentOrder: 6_101_000_000_001,
    FulfillmentOrderLineItem: 6_201_000_000_001,
    Fulfillment: 5_801_000_000_001,
    FulfillmentLineItem: 5_901_000_000_001,
    Job: 1_001_000_000_001,
    WebhookSubscription: 1_401_000_000_001,
    OrderTransaction: 7_001_000_000_001,
    Refund: 9_501_000_000_001,
    RefundLineItem: 9_601_000_000_001,
    Metafield: 30_001_000_000_001,
  };

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.shops.clear();
  }

  upsert(settings: ShopSettings): ShopState {
    const existing = this.shops.get(settings.shop);
    if (!existing) {
      const created = new ShopState(settings.shop, this.newId('Shop').id, settings, this.now);
      this.shops.set(settings.shop, created);
      return created;
    }
    existing.accessToken = settings.accessToken;
    if (settings.clientSecret !== undefined) existing.clientSecret = settings.clientSecret;
    if (settings.utcOffsetMinutes !== undefined) existing.utcOffsetMinutes = settings.utcOffsetMinutes;
    if (settings.orderListLagMs !== undefined) existing.orderListLagMs = settings.orderListLagMs;
    if (settings.plan !== undefined) existing.plan = settings.plan;
    if (settings.throttleStatusCode !== undefined) existing.throttleStatusCode = settings.throttleStatusCode;
    const restoreRate = settings.restoreRate ?? (settings.plan === undefined ? undefined : PLANS[settings.plan]);
    existing.bucket.configure({
      restoreRate,
      maximumAvailable: settings.maximumAvailable ?? (restoreRate === undefined ? undefined : restoreRate * 20),
      currentlyAvailable: settings.currentlyAvailable,
    });
    if (settings.plan !== undefined || settings.restCallsUsed !== undefined) {
      const rest = REST_LIMITS[existing.plan];
      existing.restBucket.configure({
        maximumAvailable: rest.bucketSize,
        restoreRate: rest.leakPerSecond,
        currentlyAvailable: settings.restCallsUsed === undefined ? undefined : rest.bucketSize - settings.restCallsUsed,
      });
    }
    return existing;
  }

  get(shop: string): ShopState | undefined {
    return this.shops.get(shop);
  }

  byAccessToken(token: string): ShopState | undefined {
    return [...this.shops.values()].find((shop) => shop.accessToken === token);
  }

  list(): ShopState[] {
    return [...this.shops.values()];
  }

  /** A fresh gid and its numeric id. */
  newId(kind: IdKind): { id: string; numericId: number } {
    const numericId = this.nextIds[kind]++;
    return { id: `gid://shopify/${kind}/${numericId}`, numericId };
  }

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The clock, in milliseconds. */
  nowMs(): number {
    return this.now();
  }
}
