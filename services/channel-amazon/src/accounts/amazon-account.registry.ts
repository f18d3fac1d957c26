// The SP-API clients of every configured account. Each account has one LWA token cache and one
// token bucket per operation, shared by every call to it (polls, feeds, pushes, RPCs), and never
// shared with another account.
import { TokenBucketRegistry } from '@retail-mesh/channel-kit';
import { LwaTokenProvider } from '../amazon/lwa-token.provider.js';
import { SpApiClient, type SpApiCallObserver } from '../amazon/sp-api.client.js';
import { usagePlanOf } from '../amazon/usage-plans.js';
import type { AmazonAccount } from './amazon-account.js';

export interface AmazonClientTuning {
  retries?: number;
  baseDelayMs?: number;
  requestTimeoutMs?: number;
}

export interface AmazonAccountRegistryOptions {
  tuning?: AmazonClientTuning;
  observerFor?: (channelAccountId: string) => SpApiCallObserver;
  /** Aborted when the service stops: ends bucket waits, backoff sleeps and requests. */
  signal?: AbortSignal;
}

export class AmazonAccountRegistry {
  private readonly accounts: Map<string, AmazonAccount>;
  private readonly clients = new Map<string, SpApiClient>();
  readonly buckets = new TokenBucketRegistry(usagePlanOf);

  constructor(
    accounts: readonly AmazonAccount[],
    private readonly options: AmazonAccountRegistryOptions = {},
  ) {
    this.accounts = new Map(accounts.map((account) => [account.channelAccountId, account]));
  }

  ids(): string[] {
    return [...this.accounts.keys()];
  }

  has(channelAccountId: string): boolean {
    return this.accounts.has(channelAccountId);
  }

  get(channelAccountId: string): AmazonAccount {
    const account = this.accounts.get(channelAccountId);
    if (!account) throw new Error(`unknown Amazon channel account "${channelAccountId}"`);
    return account;
  }

  client(channelAccountId: string): SpApiClient {
    const account = this.get(channelAccountId);
    let client = this.clients.get(channelAccountId);
    if (!client) {
      const { tuning, signal } = this.options;
      const lwa = new LwaTokenProvider({
        endpoint: account.lwaEndpoint,
        clientId: account.clientId,
        clientSecret: account.clientSecret,
        refreshToken: account.refreshToken,
        requestTimeoutMs: tuning?.requestTimeoutMs,
        signal,
      });
      client = new SpApiClient({
        endpoint: account.spApiEndpoint,
        channelAccountId,
        lwa,
        buckets: this.buckets,
        retries: tuning?.retries,
        baseDelayMs: tuning?.baseDelayMs,
        requestTimeoutMs: tuning?.requestTimeoutMs,
        observer: this.options.observerFor?.(channelAccountId),
        signal,
      });
      this.clients.set(channelAccountId, client);
    }
    return client;
  }
}
