// The default usage plans of the SP-API operations the adapter calls (rate = requests per
// second, burst = bucket size), from the vendor's API models and rate-limit pages. The local
// buckets start from these and take the rate each response reports in `x-amzn-RateLimit-Limit`.
import type { TokenBucketLimit } from '@retail-mesh/channel-kit';

export type SpApiOperation =
  | 'getOrders'
  | 'getOrder'
  | 'getOrderItems'
  | 'getOrderAddress'
  | 'confirmShipment'
  | 'createFeedDocument'
  | 'createFeed'
  | 'getFeed'
  | 'getFeedDocument'
  | 'getListingsItem'
  | 'patchListingsItem'
  | 'createRestrictedDataToken';

export const DEFAULT_USAGE_PLANS: Record<SpApiOperation, TokenBucketLimit> = {
  getOrders: { ratePerSecond: 0.0167, burst: 20 },
  getOrder: { ratePerSecond: 0.5, burst: 30 },
  getOrderItems: { ratePerSecond: 0.5, burst: 30 },
  getOrderAddress: { ratePerSecond: 0.5, burst: 30 },
  confirmShipment: { ratePerSecond: 2, burst: 10 },
  createFeedDocument: { ratePerSecond: 0.5, burst: 15 },
  createFeed: { ratePerSecond: 0.0083, burst: 15 },
  getFeed: { ratePerSecond: 2, burst: 15 },
  getFeedDocument: { ratePerSecond: 0.0222, burst: 10 },
  getListingsItem: { ratePerSecond: 5, burst: 10 },
  patchListingsItem: { ratePerSecond: 5, burst: 10 },
  createRestrictedDataToken: { ratePerSecond: 1, burst: 10 },
};

export function usagePlanOf(operation: string): TokenBucketLimit {
  return DEFAULT_USAGE_PLANS[operation as SpApiOperation] ?? { ratePerSecond: 1, burst: 1 };
}
