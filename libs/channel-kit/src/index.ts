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
export { ConcurrencyLimit } from './throttling/concurrency-limit.js';
export { HttpStatusError, type HttpStatusErrorInit } from './retry/http-status.error.js';
export { parseRetryAfter } from './retry/retry-after.js';
export { retryWithBackoff, backoffDelayMs, isTransientError, type RetryOptions, type RetryEvent } from './retry/retry-with-backoff.js';
export { LatestValueCoalescer, type CoalescedUpdate } from './coalescing/latest-value-coalescer.js';
export { signHmacSha256Base64, verifyHmacSha256Base64 } from './webhooks/hmac-signature.js';
export { webhookRoute, WEBHOOK_BODY_LIMIT_BYTES, type WebhookAnswer, type WebhookReceive } from './webhooks/webhook-http.js';
export { ChannelApiError } from './errors/channel-api.error.js';
export { createKeepAliveFetch, keepAliveFetch, type KeepAliveFetchOptions } from './http/keep-alive-fetch.js';
export {
  WorkerLoop,
  StepFailure,
  type StepOutcome,
  type FailedStep,
  type WorkerLeaseKey,
  type WorkerLeaseStore,
  type WorkerLoopDependencies,
  type WorkerLoopLease,
  type WorkerLoopOptions,
  type WorkerLoopStatus,
} from './workers/worker-loop.js';
export { AccountLoops, AccountWorker, ProgressSignal, type AccountLoopsConfig, type AccountStep } from './workers/account-loops.js';
export { WorkerLeaseRepository, LeaseRow } from './workers/worker-lease.repository.js';
export {
  ChannelAdapterMetrics,
  type ApiCallObserver,
  type ChannelAdapterMetricsOptions,
  type PendingCounts,
} from './metrics/channel-adapter.metrics.js';
export {
  acceptsDesiredVersion,
  isPendingPush,
  requestedPushState,
  type DesiredAvailability,
  type DesiredState,
  type RequestedPushState,
} from './availability/desired-state.js';
export { toDesiredAvailability, type AvailabilityChangedCheck, type ChannelIdentity } from './availability/availability-changed.mapper.js';
export { DesiredStateRow } from './availability/desired-state.entity.js';
export { MAX_PUSH_UPDATES, pushAvailability, type PushAvailabilityDependencies } from './adapter/push-availability.js';
export { DesiredStateStore, type DesiredStateTable, type PushedVersion, type RefusedVersion } from './availability/desired-state.store.js';
export {
  DesiredAvailabilityConsumer,
  AVAILABILITY_CONSUMER_PURPOSE,
  type DesiredAvailabilityConsumerDependencies,
} from './availability/desired-availability.consumer.js';
export {
  accountHealth,
  pushResultFor,
  FAILING_AFTER_FAILURES,
  type AccountHealthOptions,
  type DesiredRowView,
  type LoopHealthInput,
  type PushResultWording,
} from './adapter/channel-adapter.mapper.js';
export { requireChannelAccountId } from './adapter/request-checks.js';
export { parseAccountList, isHttpUrl, type AccountListParseResult } from './accounts/account-list.js';
export { ChannelAccountsSetting } from './accounts/channel-accounts.setting.js';
export {
  orderPollWindows,
  ORDER_POLL_BOUNDARY_MARGIN_MS,
  type OrderPollWindowInput,
  type OrderPollWindows,
} from './orders/order-poll-window.js';
