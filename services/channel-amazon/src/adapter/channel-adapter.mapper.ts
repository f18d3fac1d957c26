// What the ChannelAdapterService answers, from the adapter's state (channel-kit's rules, in
// Amazon's terms): per-update push results, per-account health, and Amazon's order status in the
// contract's terms.
import { accountHealth as channelAccountHealth, type LoopHealthInput, type PushResultWording } from '@retail-mesh/channel-kit';
import { channelV1 } from '@retail-mesh/contracts';
import type { AmazonOrderStatus } from '../amazon/sp-api.types.js';

const { ChannelOrderStatus } = channelV1;

/** Amazon's issue code for a SKU without a listing (patchListingsItem INVALID / feed report). */
export const NOT_LISTED_CODE = 'NOT_FOUND';

/** How push results name Amazon's refusals; an update still queued is FAILED (not taken by Amazon yet). */
export const PUSH_RESULT_WORDING: PushResultWording = { notListedCode: NOT_LISTED_CODE, queuedMessage: 'queued, not yet taken by Amazon' };

/** Failing when a duty keeps failing or LWA/SP-API refuse the credentials; degraded while one retries. */
export function accountHealth(loops: readonly LoopHealthInput[]): channelV1.AccountHealth {
  return channelAccountHealth(loops, { credentialErrorKinds: ['unauthorized', 'lwa_error'] });
}

/** Amazon's order status as the contract's; an Unshipped order the adapter acknowledged is ACKNOWLEDGED. */
export function channelOrderStatus(status: AmazonOrderStatus | undefined, acknowledged: boolean): channelV1.ChannelOrderStatus {
  switch (status) {
    case undefined:
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND;
    case 'Shipped':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED;
    case 'PartiallyShipped':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED;
    case 'Canceled':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED;
    default:
      return acknowledged ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED : ChannelOrderStatus.CHANNEL_ORDER_STATUS_OPEN;
  }
}
