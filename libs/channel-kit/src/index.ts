export { RefillingBucket, type RefillingBucketOptions } from './throttling/refilling-bucket.js';
export {
  CostBucketThrottle,
  readShopifyQueryCost,
  type CostBucketThrottleOptions,
  type CostLease,
  type ShopifyQueryCost,
  type ShopifyThrottleStatus,
} from './throttling/cost-bucket-throttle.js';
export { TokenBucket, TokenBucketRegistry, parseRateLimitHeader, type TokenBucketLimit } from './throttling/token-bucket.js';
export { KeyedRegistry } from './throttling/keyed-registry.js';
export { HttpStatusError, type HttpStatusErrorInit } from './retry/http-status.error.js';
export { parseRetryAfter } from './retry/retry-after.js';
export { retryWithBackoff, backoffDelayMs, isTransientError, type RetryOptions, type RetryEvent } from './retry/retry-with-backoff.js';
export { LatestValueCoalescer, type CoalescedUpdate } from './coalescing/latest-value-coalescer.js';
export { signHmacSha256Base64, verifyHmacSha256Base64 } from './webhooks/hmac-signature.js';
