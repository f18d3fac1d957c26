// Checks every ChannelAdapterService answers alike, before an adapter looks at its accounts.
import { InvalidArgumentError } from '@retail-mesh/service-kit';

/**
 * Every request but GetAdapterStatus names the account it is for: an empty one is a caller's
 * mistake (INVALID_ARGUMENT), unlike an account the adapter does not serve (NOT_FOUND).
 */
export function requireChannelAccountId(request: { channelAccountId: string }): void {
  if (request.channelAccountId.trim() === '') {
    throw new InvalidArgumentError('missing_channel_account_id', 'channel_account_id is required');
  }
}
