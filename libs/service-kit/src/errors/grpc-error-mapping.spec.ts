import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { errorReasonOf, toGrpcStatus, toRpcException } from './grpc-error-mapping.js';
import {
  AbortedError,
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  UnimplementedError,
} from './service-errors.js';

describe('toGrpcStatus', () => {
  it.each([
    [new NotFoundError('product_not_found', 'no product p-1'), status.NOT_FOUND],
    [new InvalidArgumentError('invalid_gtin', 'bad check digit'), status.INVALID_ARGUMENT],
    [new FailedPreconditionError('order_shipped', 'already shipped'), status.FAILED_PRECONDITION],
    [new AlreadyExistsError('listing_exists', 'listed already'), status.ALREADY_EXISTS],
    [new AbortedError('concurrent_update', 'changed meanwhile'), status.ABORTED],
    [new UnavailableError('erp_unavailable', 'ERP down'), status.UNAVAILABLE],
    [new UnimplementedError('not_implemented', 'PushPrice is not implemented yet'), status.UNIMPLEMENTED],
  ])('maps %s to its code, message and reason', (error, code) => {
    const mapped = toGrpcStatus(error);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(error.message);
    expect(errorReasonOf(mapped)).toBe(error.reason);
  });

  it('maps a domain validation error to INVALID_ARGUMENT with its reason', () => {
    const mapped = toGrpcStatus(new DomainValidationError('invalid_currency', 'unknown currency "XYZ"'));
    expect(mapped).toMatchObject({ code: status.INVALID_ARGUMENT, message: 'unknown currency "XYZ"' });
    expect(errorReasonOf(mapped)).toBe('invalid_currency');
  });

  it('hides the message of an unexpected error behind INTERNAL', () => {
    const mapped = toGrpcStatus(new Error('password=hunter2 in connection string'));
    expect(mapped).toMatchObject({ code: status.INTERNAL, message: 'internal error' });
    expect(errorReasonOf(mapped)).toBe('internal');
  });
});

describe('toRpcException', () => {
  it('keeps what was thrown as the cause and passes RpcExceptions through', () => {
    const thrown = new NotFoundError('product_not_found', 'no product p-1');
    const exception = toRpcException(thrown);
    expect(exception.getError()).toMatchObject({ code: status.NOT_FOUND });
    expect(exception.cause).toBe(thrown);
    const existing = new RpcException({ code: status.ABORTED, message: 'aborted' });
    expect(toRpcException(existing)).toBe(existing);
  });

  it('finds no reason on an error without metadata', () => {
    expect(errorReasonOf(new Error('x'))).toBeUndefined();
  });
});
