import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { errorReasonOf } from '../errors/grpc-error-mapping.js';
import { BatchedCalls, type BatchItemResult } from './batched-calls.js';

/** A server of `Double` / `Doubles`: doubles a number, refuses negatives (INVALID_ARGUMENT, reason negative). */
class Server {
  readonly batches: number[][] = [];
  readonly singles: number[] = [];
  batchStatus: number | undefined;

  readonly batch = async (requests: number[]): Promise<Array<BatchItemResult<number>>> => {
    if (this.batchStatus !== undefined) throw Object.assign(new Error('batch failed'), { code: this.batchStatus, details: 'batch failed' });
    this.batches.push(requests);
    return requests.map((value) =>
      value < 0
        ? { error: { code: GrpcStatus.INVALID_ARGUMENT, reason: 'negative', message: `${value} is negative` } }
        : { response: value * 2 },
    );
  };

  readonly single = async (value: number): Promise<number> => {
    this.singles.push(value);
    if (value < 0) throw Object.assign(new Error('negative'), { code: GrpcStatus.INVALID_ARGUMENT, details: `${value} is negative` });
    return value * 2;
  };
}

function calls(server: Server, maxBatchSize = 500, now?: () => number): BatchedCalls<number, number> {
  return new BatchedCalls({ batch: server.batch, single: server.single, maxBatchSize, now });
}

describe('BatchedCalls', () => {
  it('sends the calls of one turn as one batch and gives each its own answer', async () => {
    const server = new Server();
    const batched = calls(server);
    const answers = await Promise.allSettled([batched.call(1), batched.call(-2), batched.call(3)]);
    expect(server.batches).toEqual([[1, -2, 3]]);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(answers[2]).toEqual({ status: 'fulfilled', value: 6 });
    // The refusal looks like the single call's error: code, details and the reason in the metadata.
    const refusal = (answers[1] as PromiseRejectedResult).reason as { code: number; details: string };
    expect(refusal).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: '-2 is negative' });
    expect(errorReasonOf(refusal)).toBe('negative');

    // A later turn is a batch of its own.
    await batched.call(4);
    expect(server.batches).toEqual([[1, -2, 3], [4]]);
  });

  it('splits callAll into batches of the maximum size, answers in order', async () => {
    const server = new Server();
    const settled = await calls(server, 2).callAll([1, 2, 3, 4, 5]);
    expect(server.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined))).toEqual([2, 4, 6, 8, 10]);
  });

  it('fails every request of a batch call that failed with that call error', async () => {
    const server = new Server();
    server.batchStatus = GrpcStatus.UNAVAILABLE;
    const answers = await Promise.allSettled([calls(server).call(1), calls(server).call(2)]);
    for (const answer of answers) expect(answer).toMatchObject({ status: 'rejected', reason: { code: GrpcStatus.UNAVAILABLE } });
  });

  it('makes single calls to a server without the batch RPC, and asks it again a minute later', async () => {
    const server = new Server();
    server.batchStatus = GrpcStatus.UNIMPLEMENTED;
    let clock = 1_000_000;
    const batched = calls(server, 500, () => clock);
    const answers = await Promise.allSettled([batched.call(1), batched.call(-1)]);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(answers[1]).toMatchObject({ status: 'rejected', reason: { code: GrpcStatus.INVALID_ARGUMENT } });
    expect(server.singles).toEqual([1, -1]);
    // Without asking the batch RPC again for a while.
    server.batchStatus = undefined;
    clock += 59_999;
    await batched.call(5);
    expect(server.singles).toEqual([1, -1, 5]);
    expect(server.batches).toEqual([]);
    // The server was upgraded meanwhile: a minute on, batches again.
    clock += 1;
    await Promise.all([batched.call(6), batched.call(7)]);
    expect(server.batches).toEqual([[6, 7]]);
    expect(server.singles).toEqual([1, -1, 5]);
  });
});
