import { Injectable } from '@nestjs/common';
import { withTransaction } from '@retail-mesh/persistence';
import { FailedPreconditionError, NotFoundError } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { AvailabilityPublisher } from '../availability/availability.publisher.js';
import { DirtySkuRepository } from '../availability/dirty-sku.repository.js';
import { StockPositionRepository } from '../stock/stock-position.repository.js';
import { assertChannelPolicyInput, type ChannelPolicy, type ChannelPolicyInput } from './channel-policy.js';
import { ChannelPolicyRepository } from './channel-policy.repository.js';

@Injectable()
export class ChannelPolicyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: ChannelPolicyRepository,
    private readonly positions: StockPositionRepository,
    private readonly dirty: DirtySkuRepository,
    private readonly availabilityPublisher: AvailabilityPublisher,
  ) {}

  /**
   * Creates or replaces a channel account's policy (version + 1) and marks every SKU with stock
   * dirty, so the availability publisher recomputes them and publishes what the policy changed.
   */
  async upsert(input: ChannelPolicyInput): Promise<ChannelPolicy> {
    assertChannelPolicyInput(input);
    const policy = await withTransaction(this.dataSource, async (manager) => {
      const previous = await this.policies.find(manager, input.channelAccountId);
      if (previous !== undefined && previous.channel !== input.channel) {
        // Its published versions and routing key belong to the old channel type: a new account is needed.
        throw new FailedPreconditionError(
          'channel_account_channel_changed',
          `channel account ${input.channelAccountId} is a ${previous.channel} account; it cannot become ${input.channel}`,
        );
      }
      const saved = await this.policies.save(manager, input, previous, new Date());
      await this.dirty.mark(manager, await this.positions.distinctSkus(manager), { sourceChangedAt: null });
      return saved;
    });
    this.availabilityPublisher.wake();
    return policy;
  }

  async get(channelAccountId: string): Promise<ChannelPolicy> {
    const policy = await this.policies.find(this.dataSource.manager, channelAccountId);
    if (policy === undefined)
      throw new NotFoundError('channel_policy_not_found', `no availability policy for channel account ${JSON.stringify(channelAccountId)}`);
    return policy;
  }

  list(channel: string, afterChannelAccountId: string | undefined, limit: number): Promise<ChannelPolicy[]> {
    return this.policies.list(this.dataSource.manager, channel, afterChannelAccountId, limit);
  }
}
