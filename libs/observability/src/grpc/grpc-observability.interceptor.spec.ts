import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { describe, expect, it } from 'vitest';
import { failedCallLogLevel, grpcCodeOf, grpcMethodFromPath } from './grpc-observability.interceptor.js';

describe('grpcMethodFromPath', () => {
  it('splits a call path into the full service name and the method', () => {
    expect(grpcMethodFromPath('/retail.catalog.v1.CatalogService/UpsertProduct')).toEqual({
      grpcService: 'retail.catalog.v1.CatalogService',
      grpcMethod: 'UpsertProduct',
    });
    expect(grpcMethodFromPath('nonsense')).toBeUndefined();
  });
});

describe('grpcCodeOf', () => {
  it('reads the code of an RpcException, a grpc-js error or a plain status object', () => {
    expect(grpcCodeOf(new RpcException({ code: status.NOT_FOUND, message: 'no such product' }))).toBe(status.NOT_FOUND);
    expect(grpcCodeOf(Object.assign(new Error('unavailable'), { code: status.UNAVAILABLE, metadata: new Metadata() }))).toBe(
      status.UNAVAILABLE,
    );
    expect(grpcCodeOf({ code: status.ALREADY_EXISTS })).toBe(status.ALREADY_EXISTS);
  });

  it('logs server faults as errors, and refused or not offered calls as warnings', () => {
    for (const code of [status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE, status.DATA_LOSS])
      expect(failedCallLogLevel(code)).toBe('error');
    for (const code of [status.UNIMPLEMENTED, status.INVALID_ARGUMENT, status.NOT_FOUND, status.FAILED_PRECONDITION])
      expect(failedCallLogLevel(code)).toBe('warn');
  });

  it('is UNKNOWN for anything else', () => {
    expect(grpcCodeOf(new Error('boom'))).toBe(status.UNKNOWN);
    expect(grpcCodeOf(new RpcException('text only'))).toBe(status.UNKNOWN);
    expect(grpcCodeOf({ code: 'ENOENT' })).toBe(status.UNKNOWN);
    expect(grpcCodeOf(undefined)).toBe(status.UNKNOWN);
  });
});
