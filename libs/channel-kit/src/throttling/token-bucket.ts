import { KeyedRegistry } from './keyed-registry.js';
import { RefillingBucket } from './refilling-bucket.js';

// Amazon SP-API style limits: a token bucket per selling partner x operation, `rate` tokens per
// second up to `burst`, one token per request. The applied rate can differ from the published
// default and is reported per response in `x-amzn-RateLimit-Limit`, so it is updatable at run time.

export interface TokenBucketLimit {
  ratePerSecond: number;
  burst: number;
}

export class TokenBucket {
  private readonly bucket: RefillingBucket;

  constructor(limit: TokenBucketLimit) {
    this.bucket = new RefillingBucket({ capacity: limit.burst, refillPerSecond: limit.ratePerSecond });
  }

  /** Waits (FIFO, one timer) for a token and takes it. */
  acquire(signal?: AbortSignal): Promise<void> {
    return this.bucket.take(1, signal);
  }

  updateRate(ratePerSecond: number): void {
    this.bucket.configure({ refillPerSecond: ratePerSecond });
  }

  /** Applies an `x-amzn-RateLimit-Limit` value such as "0.0167" or "5.0"; absent or malformed values are ignored (the header is "when available"). */
  applyRateLimitHeader(value: string | null | undefined): void {
    const rate = parseRateLimitHeader(value);
    if (rate !== undefined) this.updateRate(rate);
  }

  /** After a 429 the server's bucket is empty whatever the local model thinks: the next request waits a full token. */
  markThrottled(): void {
    this.bucket.setLevel(Math.min(0, this.bucket.level()));
  }

  get limit(): TokenBucketLimit {
    const { capacity, refillPerSecond } = this.bucket.settings;
    return { ratePerSecond: refillPerSecond, burst: capacity };
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    return this.bucket.level();
  }

  get waiting(): number {
    return this.bucket.waiting;
  }
}

/** Parses `x-amzn-RateLimit-Limit`: a positive decimal number of requests per second. */
export function parseRateLimitHeader(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const rate = Number(value.trim());
  return rate > 0 ? rate : undefined;
}

/** One bucket per (channel account, operation), created on first use with `limitFor(operation)`. */
export class TokenBucketRegistry {
  private readonly accounts: KeyedRegistry<KeyedRegistry<TokenBucket>>;

  constructor(limitFor: (operation: string) => TokenBucketLimit) {
    this.accounts = new KeyedRegistry(() => new KeyedRegistry((operation) => new TokenBucket(limitFor(operation))));
  }

  get(channelAccountId: string, operation: string): TokenBucket {
    return this.accounts.get(channelAccountId).get(operation);
  }
}
