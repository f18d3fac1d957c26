import { status as GrpcStatus } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import type { AllocationRule } from '@retail-mesh/domain';
import { hydrated, isUniqueViolation } from '@retail-mesh/persistence';
import { ServiceError } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import type { ChannelPolicy, ChannelPolicyInput } from './channel-policy.js';
import { CHANNEL_POLICY_TABLE, ChannelPolicyEntity } from './channel-policy.entity.js';

/** Another upsert of the same channel account committed first; the caller may retry. */
export class ChannelPolicyConflictError extends ServiceError {
  override readonly name = 'ChannelPolicyConflictError';
  readonly code = GrpcStatus.ABORTED;

  constructor(message: string) {
    super('channel_policy_changed_concurrently', message);
  }
}

@Injectable()
export class ChannelPolicyRepository {
  async find(manager: EntityManager, channelAccountId: string): Promise<ChannelPolicy | undefined> {
    const entity = await manager.findOneBy(ChannelPolicyEntity, { channelAccountId });
    return entity === null ? undefined : toChannelPolicy(entity);
  }

  /** Every policy in channel account order; read by hand, as every publishing pass reads them (TypeORM's find cost more than the query). */
  async findAll(manager: EntityManager): Promise<ChannelPolicy[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT * FROM ${CHANNEL_POLICY_TABLE} ORDER BY channel_account_id`);
    return hydrated(manager.connection, ChannelPolicyEntity, rows).map(toChannelPolicy);
  }

  /** One page in channel account order, starting after `afterChannelAccountId`. */
  async list(manager: EntityManager, channel: string, afterChannelAccountId: string | undefined, limit: number): Promise<ChannelPolicy[]> {
    const query = manager.createQueryBuilder(ChannelPolicyEntity, 'policy').orderBy('policy.channelAccountId', 'ASC').limit(limit);
    if (channel !== '') query.andWhere('policy.channel = :channel', { channel });
    if (afterChannelAccountId !== undefined) query.andWhere('policy.channelAccountId > :after', { after: afterChannelAccountId });
    return (await query.getMany()).map(toChannelPolicy);
  }

  /**
   * Stores `input` as version `previous.version + 1` (1 for a new account). Compare-and-set on the
   * version, so two concurrent upserts cannot both claim the same version.
   */
  async save(manager: EntityManager, input: ChannelPolicyInput, previous: ChannelPolicy | undefined, now: Date): Promise<ChannelPolicy> {
    const policy: ChannelPolicy = { ...input, version: (previous?.version ?? 0) + 1, updatedAt: now };
    const entity = toEntity(policy);
    if (previous === undefined) {
      try {
        await manager.insert(ChannelPolicyEntity, entity);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ChannelPolicyConflictError(`channel account ${input.channelAccountId} was created concurrently`);
        throw error;
      }
    } else {
      const { channelAccountId, ...changes } = entity;
      const result = await manager
        .createQueryBuilder()
        .update(ChannelPolicyEntity)
        .set(changes)
        .where('channel_account_id = :channelAccountId AND version = :version', { channelAccountId, version: previous.version })
        .execute();
      if ((result.affected ?? 0) === 0)
        throw new ChannelPolicyConflictError(`channel account ${channelAccountId} was changed concurrently`);
    }
    return policy;
  }
}

function toChannelPolicy(entity: ChannelPolicyEntity): ChannelPolicy {
  return {
    channelAccountId: entity.channelAccountId,
    channel: entity.channel,
    safetyStock: entity.safetyStock,
    allocation: toAllocationRule(entity),
    maxQuantity: entity.maxQuantity ?? undefined,
    eligibleLocationIds: entity.eligibleLocationIds,
    version: entity.version,
    updatedAt: entity.updatedAt,
  };
}

function toAllocationRule(entity: ChannelPolicyEntity): AllocationRule {
  switch (entity.allocationKind) {
    case 'percent':
      return { kind: 'percent', basisPoints: entity.allocationValue ?? 0 };
    case 'fixed':
      return { kind: 'fixed', quantity: entity.allocationValue ?? 0 };
    case 'none':
      return { kind: 'none' };
  }
}

function toEntity(policy: ChannelPolicy): ChannelPolicyEntity {
  const allocation = policy.allocation;
  return Object.assign(new ChannelPolicyEntity(), {
    channelAccountId: policy.channelAccountId,
    channel: policy.channel,
    safetyStock: policy.safetyStock,
    allocationKind: allocation.kind,
    allocationValue: allocation.kind === 'percent' ? allocation.basisPoints : allocation.kind === 'fixed' ? allocation.quantity : null,
    maxQuantity: policy.maxQuantity ?? null,
    eligibleLocationIds: policy.eligibleLocationIds,
    version: policy.version,
    updatedAt: policy.updatedAt,
  });
}
