/**
 * A failed call to a channel's API, as an adapter's client reports it: what kind of failure
 * (`throttled`, `unauthorized`, ...: the client's own vocabulary), whether a later attempt can
 * succeed, and the server's requested wait. Each client subclasses it with what its API adds
 * (Shopify's user errors, Amazon's errors envelope); the worker loops read `kind` for metrics and
 * health, and `retryAfterMs` to back off no sooner than the channel asked.
 */
export class ChannelApiError<Kind extends string = string> extends Error {
  override readonly name: string = 'ChannelApiError';
  readonly kind: Kind;
  /** The API operation, e.g. `InventorySetQuantities` or `getOrders`. */
  readonly operation: string;
  /** Whether a later attempt of the same request can succeed. */
  readonly retryable: boolean;
  readonly status?: number;
  /** A server-requested wait (`Retry-After`), when one was sent. */
  readonly retryAfterMs?: number;

  constructor(init: { kind: Kind; operation: string; message: string; retryable: boolean; status?: number; retryAfterMs?: number }) {
    super(`${init.operation}: ${init.message}`);
    this.kind = init.kind;
    this.operation = init.operation;
    this.retryable = init.retryable;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}
