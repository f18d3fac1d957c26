// Typed errors a service throws from its use cases; the gRPC layer maps them to status codes
// (STYLE.md rule 9). Each carries a stable machine-readable `reason` (snake case, e.g.
// `product_not_found`) that callers can branch on without parsing the message.
import { status as GrpcStatus } from '@grpc/grpc-js';

export abstract class ServiceError extends Error {
  abstract readonly code: GrpcStatus;

  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends ServiceError {
  override readonly name = 'NotFoundError';
  readonly code = GrpcStatus.NOT_FOUND;
}

/** The request itself is wrong (bad GTIN, negative quantity): retrying it cannot help. */
export class InvalidArgumentError extends ServiceError {
  override readonly name = 'InvalidArgumentError';
  readonly code = GrpcStatus.INVALID_ARGUMENT;
}

/** The request is valid but the current state forbids it (cancel a shipped order). */
export class FailedPreconditionError extends ServiceError {
  override readonly name = 'FailedPreconditionError';
  readonly code = GrpcStatus.FAILED_PRECONDITION;
}

/** Creating something that exists (with different content than an idempotent replay). */
export class AlreadyExistsError extends ServiceError {
  override readonly name = 'AlreadyExistsError';
  readonly code = GrpcStatus.ALREADY_EXISTS;
}

/** A concurrent change to the same thing won (a lost race on insert, a stale version): retry the whole request. */
export class AbortedError extends ServiceError {
  override readonly name = 'AbortedError';
  readonly code = GrpcStatus.ABORTED;
}

/** A dependency is down; the caller may retry with backoff. */
export class UnavailableError extends ServiceError {
  override readonly name = 'UnavailableError';
  readonly code = GrpcStatus.UNAVAILABLE;
}

/** A call the service does not offer (yet): UNIMPLEMENTED, not INTERNAL. */
export class UnimplementedError extends ServiceError {
  override readonly name = 'UnimplementedError';
  readonly code = GrpcStatus.UNIMPLEMENTED;
}
