// A unary RPC and its batch form (`SubmitOrders` beside `SubmitOrder`: one result per request, in
// order, each the response or the status the single call would have failed with), called as one:
// each caller gets its own answer, or an error shaped like the single call's (`code`, `details`,
// the reason in the metadata), so callers treat failures as they always did.
import { Metadata, status as GrpcStatus, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { ERROR_REASON_KEY, type ItemStatus } from '../errors/grpc-error-mapping.js';

/** One request's result of a batch call, as ts-proto types the `<Rpc>Result` messages. */
export interface BatchItemResult<Response> {
  response?: Response | null | undefined;
  error?: ItemStatus | null | undefined;
}

// How long single calls stand in after the server answered the batch RPC with UNIMPLEMENTED.
const UNIMPLEMENTED_RETRY_MS = 60_000;

export interface BatchedCallsOptions<Request, Response> {
  /** The batch RPC. */
  batch(requests: Request[]): Promise<Array<BatchItemResult<Response>>>;
  /** The single RPC, for a server that does not have the batch one yet (a rolling upgrade). */
  single(request: Request): Promise<Response>;
  /** Requests per batch call at most (the RPC's own limit). */
  maxBatchSize: number;
  /** The clock; injectable for tests. */
  now?: () => number;
}

export class BatchedCalls<Request, Response> {
  private gathering: Array<{ request: Request; resolve: (response: Response) => void; reject: (error: unknown) => void }> = [];
  /** Until then the server is taken not to have the batch RPC (it answered UNIMPLEMENTED). */
  private singlesUntil = 0;
  private readonly now: () => number;

  constructor(private readonly options: BatchedCallsOptions<Request, Response>) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The requests in batch calls of at most `maxBatchSize`, one settled answer per request, in
   * order. A failed batch call fails each of its requests with that call's error.
   */
  async callAll(requests: readonly Request[]): Promise<Array<PromiseSettledResult<Response>>> {
    const settled: Array<PromiseSettledResult<Response>> = [];
    for (let start = 0; start < requests.length; start += this.options.maxBatchSize) {
      settled.push(...(await this.callBatch(requests.slice(start, start + this.options.maxBatchSize))));
    }
    return settled;
  }

  /**
   * One request; the requests made in the same turn of the event loop share one batch call
   * (a claim's orders, started together). Each turn's batch is its own call: batches never wait
   * for one another.
   */
  call(request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.gathering.push({ request, resolve, reject });
      if (this.gathering.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const gathered = this.gathering;
    this.gathering = [];
    let settled: Array<PromiseSettledResult<Response>>;
    try {
      settled = await this.callAll(gathered.map(({ request }) => request));
    } catch (error) {
      for (const { reject } of gathered) reject(error);
      return;
    }
    gathered.forEach(({ resolve, reject }, index) => {
      const outcome = settled[index]!;
      if (outcome.status === 'fulfilled') resolve(outcome.value);
      else reject(outcome.reason);
    });
  }

  private async callBatch(requests: Request[]): Promise<Array<PromiseSettledResult<Response>>> {
    if (this.now() < this.singlesUntil) return this.callEach(requests);
    let results: Array<BatchItemResult<Response>>;
    try {
      results = await this.options.batch(requests);
    } catch (error) {
      if ((error as Partial<GrpcServiceError>).code === GrpcStatus.UNIMPLEMENTED) {
        // The server predates the batch RPC (mid rolling upgrade): single calls for a while, then ask again.
        this.singlesUntil = this.now() + UNIMPLEMENTED_RETRY_MS;
        return this.callEach(requests);
      }
      return requests.map(() => ({ status: 'rejected', reason: error }));
    }
    return requests.map((_, index): PromiseSettledResult<Response> => {
      const result = results[index];
      if (result?.response) return { status: 'fulfilled', value: result.response };
      return {
        status: 'rejected',
        reason: itemError(result?.error ?? { code: GrpcStatus.UNKNOWN, reason: '', message: 'no result for the request' }),
      };
    });
  }

  private callEach(requests: Request[]): Promise<Array<PromiseSettledResult<Response>>> {
    return Promise.allSettled(requests.map((request) => this.options.single(request)));
  }
}

/** A refused request of a batch as the error its single call would have rejected with. */
function itemError(status: ItemStatus): Error & Pick<GrpcServiceError, 'code' | 'details' | 'metadata'> {
  const metadata = new Metadata();
  if (status.reason !== '') metadata.set(ERROR_REASON_KEY, status.reason);
  const name = GrpcStatus[status.code] ?? String(status.code);
  return Object.assign(new Error(`${status.code} ${name}: ${status.message}`), { code: status.code, details: status.message, metadata });
}
