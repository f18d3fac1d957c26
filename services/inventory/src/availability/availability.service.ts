import { Events, toTimestamp, type inventoryEventsV1, type inventoryV1 } from '@retail-mesh/contracts';
import { Injectable } from '@nestjs/common';
import { groupBy } from '@retail-mesh/domain';
import { withTransaction } from '@retail-mesh/persistence';
import { NotFoundError, OutboxPublisher, type OutgoingEvent } from '@retail-mesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import type { ChannelPolicy } from '../channel-policy/channel-policy.js';
import { ChannelPolicyRepository } from '../channel-policy/channel-policy.repository.js';
import { InventoryMetrics } from '../inventory.metrics.js';
import { ReservationRepository } from '../reservations/reservation.repository.js';
import { assertStockKey } from '../stock/stock-change.js';
import { StockPositionRepository } from '../stock/stock-position.repository.js';
import { availabilityFor, NO_RESERVATIONS, publicationVersion } from './availability-calculation.js';
import { toExplanationMessage } from './availability.mapper.js';
import { PublishedAvailabilityEntity } from './published-availability.entity.js';
import { PublishedAvailabilityRepository } from './published-availability.repository.js';

export interface SkuToPublish {
  sku: string;
  /** ERP time of the change that caused the computation; null for repairs and policy changes. */
  sourceChangedAt: Date | null;
  /** Trace of that change; a new trace when absent. */
  traceparent?: string;
}

// Keeps the IN (...) lists of one statement well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;

export interface PublishOptions {
  /** Publish with a new version even when the quantity did not change (repair). */
  force: boolean;
  now: Date;
}

/** Availability changes (keys) queued, per channel type; report them once the transaction committed. */
export type PublishedCounts = Map<string, number>;

export function totalPublished(counts: PublishedCounts): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/**
 * Computes availability per channel account x SKU and publishes what changed: the new quantity
 * with the next version of its key, recorded in published_availability and queued in the outbox
 * in the caller's transaction.
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly positions: StockPositionRepository,
    private readonly policies: ChannelPolicyRepository,
    private readonly published: PublishedAvailabilityRepository,
    private readonly outbox: OutboxPublisher,
    private readonly metrics: InventoryMetrics,
    private readonly reservations: ReservationRepository,
  ) {}

  /**
   * Recomputes `skus` for every policy and queues the change of each key whose quantity changed
   * (every key when forced): one AvailabilityChangedBatch per channel account and chunk of SKUs.
   */
  async publishChanges(
    manager: EntityManager,
    skus: SkuToPublish[],
    policies: ChannelPolicy[],
    options: PublishOptions,
  ): Promise<PublishedCounts> {
    const counts: PublishedCounts = new Map();
    // One entry per SKU: a second one would compute from a version the first already replaced.
    const unique = [...new Map(skus.map((entry) => [entry.sku, entry])).values()];
    for (let start = 0; start < unique.length; start += SKUS_PER_QUERY) {
      await this.publishChunk(manager, unique.slice(start, start + SKUS_PER_QUERY), policies, options, counts);
    }
    return counts;
  }

  private async publishChunk(
    manager: EntityManager,
    skus: SkuToPublish[],
    policies: ChannelPolicy[],
    options: PublishOptions,
    counts: PublishedCounts,
  ): Promise<void> {
    if (skus.length === 0 || policies.length === 0) return;
    const started = performance.now();
    const skuNames = skus.map((entry) => entry.sku);
    const positionsBySku = groupBy(await this.positions.findBySkus(manager, skuNames), (row) => row.sku);
    const reservationsBySku = groupBy(await this.reservations.heldBySkus(manager, skuNames), (row) => row.sku);
    const publishedByKey = new Map(
      (await this.published.findBySkus(manager, skuNames)).map((row) => [keyOf(row.channelAccountId, row.sku), row]),
    );

    const rows: PublishedAvailabilityEntity[] = [];
    const batches = new Map<string, AccountBatch>();
    for (const { sku, sourceChangedAt, traceparent } of skus) {
      const positions = positionsBySku.get(sku) ?? [];
      const reservations = reservationsBySku.get(sku) ?? NO_RESERVATIONS;
      for (const policy of policies) {
        const { availableQuantity } = availabilityFor(policy, positions, reservations);
        const previous = publishedByKey.get(keyOf(policy.channelAccountId, sku));
        const version = publicationVersion(previous, availableQuantity, options.force);
        if (version === undefined) continue;
        const row = Object.assign(new PublishedAvailabilityEntity(), {
          channelAccountId: policy.channelAccountId,
          sku,
          channel: policy.channel,
          availableQuantity,
          version,
          computedAt: options.now,
          sourceChangedAt,
        });
        rows.push(row);
        addToBatch(batches, row, traceparent);
        counts.set(policy.channel, (counts.get(policy.channel) ?? 0) + 1);
      }
    }
    await this.published.saveMany(manager, rows);
    await this.outbox.add(manager, [...batches.values()].map(availabilityChangedBatchEvent));
    this.metrics.recomputed((performance.now() - started) / 1000);
  }

  /**
   * The availability of one SKU for a channel account as it computes now, with how it was
   * computed, and the version last published for the key (0 before the first publication).
   */
  async get(channelAccountId: string, sku: string): Promise<inventoryV1.Availability> {
    const manager = this.dataSource.manager;
    const policy = await this.policyOf(manager, channelAccountId);
    const positions = await this.positions.findBySkus(manager, [sku]);
    const result = availabilityFor(policy, positions, await this.reservations.heldBySkus(manager, [sku]));
    const published = await this.published.find(manager, channelAccountId, sku);
    return {
      channelAccountId,
      channel: policy.channel,
      sku,
      availableQuantity: result.availableQuantity,
      version: published?.version ?? 0,
      computedAt: toTimestamp(new Date()),
      explanation: toExplanationMessage(result, policy),
    };
  }

  /** One page of what was last published for a channel account, in SKU order. */
  list(channelAccountId: string, skus: string[], afterSku: string | undefined, limit: number): Promise<PublishedAvailabilityEntity[]> {
    return this.published.list(this.dataSource.manager, channelAccountId, skus, afterSku, limit);
  }

  /**
   * Publishes the current availability of `skus` (empty: every SKU with stock or a publication)
   * again with new versions, whether or not it changed: the repair for a channel that shows a
   * wrong quantity. Returns the number of events.
   */
  async republish(channelAccountId: string, skus: string[]): Promise<number> {
    for (const sku of skus) assertStockKey(sku, 'sku');
    const counts = await withTransaction(this.dataSource, async (manager) => {
      const policy = await this.policyOf(manager, channelAccountId);
      const targets =
        skus.length > 0
          ? skus
          : [...new Set([...(await this.positions.distinctSkus(manager)), ...(await this.published.skusOf(manager, channelAccountId))])];
      return this.publishChanges(
        manager,
        targets.map((sku) => ({ sku, sourceChangedAt: null })),
        [policy],
        { force: true, now: new Date() },
      );
    });
    return totalPublished(counts);
  }

  private async policyOf(manager: EntityManager, channelAccountId: string): Promise<ChannelPolicy> {
    const policy = await this.policies.find(manager, channelAccountId);
    if (policy === undefined)
      throw new NotFoundError('channel_policy_not_found', `no availability policy for channel account ${JSON.stringify(channelAccountId)}`);
    return policy;
  }
}

/** The changes of one channel account in one chunk of a pass, published as one event (ADR 0008). */
interface AccountBatch {
  rows: PublishedAvailabilityEntity[];
  /** The trace of the first change in the batch that has one: a batch continues one of its causes' traces. */
  traceparent: string | undefined;
}

function addToBatch(batches: Map<string, AccountBatch>, row: PublishedAvailabilityEntity, traceparent: string | undefined): void {
  const batch = batches.get(row.channelAccountId);
  if (batch === undefined) batches.set(row.channelAccountId, { rows: [row], traceparent });
  else {
    batch.rows.push(row);
    batch.traceparent ??= traceparent;
  }
}

export function availabilityChangedBatchEvent({
  rows,
  traceparent,
}: AccountBatch): OutgoingEvent<inventoryEventsV1.AvailabilityChangedBatch> {
  const [first] = rows;
  const changes = rows.map((row): inventoryEventsV1.AvailabilityChanged => ({
    channelAccountId: row.channelAccountId,
    channel: row.channel,
    sku: row.sku,
    availableQuantity: row.availableQuantity,
    version: row.version,
    computedAt: toTimestamp(row.computedAt),
    sourceChangedAt: row.sourceChangedAt === null ? undefined : toTimestamp(row.sourceChangedAt),
  }));
  return {
    definition: Events.inventory.availabilityChangedBatch,
    payload: { changes },
    subject: first.channelAccountId,
    channel: first.channel,
    channelAccountId: first.channelAccountId,
    time: first.computedAt,
    traceparent,
  };
}

function keyOf(channelAccountId: string, sku: string): string {
  return `${channelAccountId}\u0000${sku}`;
}
