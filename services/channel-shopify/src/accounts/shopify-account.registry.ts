// The clients of every configured store. Each store has one cost bucket, shared by every call
// to it (pushes, read-backs, reconciliation reads), and never shared with another store.
import { CostBucketThrottle, KeyedRegistry } from '@retail-mesh/channel-kit';
import { ShopifyAdminClient, type ShopifyAdminClientOptions, type ShopifyCallObserver } from '../shopify/shopify-admin.client.js';
import type { ShopifyAccount } from './shopify-account.js';

export type ShopifyClientTuning = Pick<ShopifyAdminClientOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'requestTimeoutMs' | 'fetch'>;

export interface ShopifyAccountRegistryOptions {
  tuning?: ShopifyClientTuning;
  observerFor?: (channelAccountId: string) => ShopifyCallObserver;
  /** Aborted when the service stops: ends bucket waits and backoff sleeps. */
  signal?: AbortSignal;
}

export class ShopifyAccountRegistry {
  private readonly accounts: Map<string, ShopifyAccount>;
  private readonly throttles = new KeyedRegistry(() => new CostBucketThrottle());
  private readonly clients: KeyedRegistry<ShopifyAdminClient>;

  constructor(accounts: readonly ShopifyAccount[], options: ShopifyAccountRegistryOptions = {}) {
    this.accounts = new Map(accounts.map((account) => [account.channelAccountId, account]));
    this.clients = new KeyedRegistry((channelAccountId) => {
      const account = this.get(channelAccountId);
      return new ShopifyAdminClient({
        ...options.tuning,
        baseUrl: account.adminApiUrl,
        accessToken: account.accessToken,
        apiVersion: account.apiVersion,
        throttle: this.throttle(channelAccountId),
        observer: options.observerFor?.(channelAccountId),
        signal: options.signal,
      });
    });
  }

  ids(): string[] {
    return [...this.accounts.keys()];
  }

  has(channelAccountId: string): boolean {
    return this.accounts.has(channelAccountId);
  }

  get(channelAccountId: string): ShopifyAccount {
    const account = this.accounts.get(channelAccountId);
    if (!account) throw new Error(`unknown Shopify channel account "${channelAccountId}"`);
    return account;
  }

  client(channelAccountId: string): ShopifyAdminClient {
    this.get(channelAccountId);
    return this.clients.get(channelAccountId);
  }

  throttle(channelAccountId: string): CostBucketThrottle {
    return this.throttles.get(channelAccountId);
  }
}
