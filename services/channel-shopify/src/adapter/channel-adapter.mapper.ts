// What the ChannelAdapterService answers, from the adapter's state (channel-kit's rules, in
// Shopify's terms): per-update push results and per-account health.
import { accountHealth as channelAccountHealth, type PushResultWording } from '@retail-mesh/channel-kit';
import type { channelV1 } from '@retail-mesh/contracts';
import { NOT_LISTED } from '../availability/availability-push.js';

/** How push results name Shopify's refusals; an update still queued is FAILED (not on Shopify yet, retrying is unnecessary). */
export const PUSH_RESULT_WORDING: PushResultWording = { notListedCode: NOT_LISTED, queuedMessage: 'queued, not yet accepted by Shopify' };

export interface AccountHealthInput {
  consecutiveFailures: number;
  lastErrorKind: string | null;
  /** Calls waiting for the store's cost bucket. */
  throttleWaiting: number;
}

/** Failing when pushes keep failing or the token is refused; degraded while retrying or throttled. */
export function accountHealth(input: AccountHealthInput): channelV1.AccountHealth {
  return channelAccountHealth([input], { credentialErrorKinds: ['unauthorized'], throttleWaiting: input.throttleWaiting });
}
