// Maps what a gRPC handler throws to the status the caller sees: ServiceErrors and the
// domain's DomainValidationError to their codes with their reason, anything unexpected to
// INTERNAL without its message (which may leak internals; the log has it).
import { Metadata, status as GrpcStatus, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { DomainValidationError } from '@retail-mesh/domain';
import { catchError, Observable, throwError } from 'rxjs';
import { InvalidArgumentError, ServiceError } from './service-errors.js';

/** Trailing metadata key carrying the error's machine-readable reason. */
export const ERROR_REASON_KEY = 'error-reason';

export interface GrpcErrorStatus {
  code: GrpcStatus;
  message: string;
  metadata: Metadata;
}

export function toGrpcStatus(error: unknown): GrpcErrorStatus {
  if (error instanceof ServiceError) return status(error.code, error.message, error.reason);
  if (error instanceof DomainValidationError) return status(GrpcStatus.INVALID_ARGUMENT, error.message, error.reason);
  return status(GrpcStatus.INTERNAL, 'internal error', 'internal');
}

function status(code: GrpcStatus, message: string, reason: string): GrpcErrorStatus {
  const metadata = new Metadata();
  metadata.set(ERROR_REASON_KEY, reason);
  return { code, message, metadata };
}

/**
 * The status a single call would have answered with, as a refused item of a batch call carries it
 * (`{code, reason, message}` messages such as ReserveStockError and SubmitOrderError).
 */
export function toItemStatus(error: unknown): ItemStatus {
  const status = toGrpcStatus(error);
  return { code: status.code, reason: errorReasonOf(status) ?? '', message: status.message };
}

/** A refusal a batch answers per item; anything else (the database, a bug) fails the whole call. */
function isRefusal(error: unknown): boolean {
  return error instanceof ServiceError || error instanceof DomainValidationError;
}

/** One item's result of a batch call, as the `<Rpc>Result` messages' oneof carries it. */
export type ItemResult<T> = { response: T; error?: undefined } | { response?: undefined; error: ItemStatus };

export interface ItemStatus {
  code: number;
  reason: string;
  message: string;
}

/**
 * Answers each request of a batch call as the single call would (all at once, so their database
 * work can share group commits): its response, or its refusal as the status the single call would
 * have failed with. Anything else (a bug, the database) fails the whole call. More than
 * `maxRequests` requests are refused as INVALID_ARGUMENT `too_many_requests`.
 */
export async function answerEach<Request, Response>(
  requests: readonly Request[],
  maxRequests: number,
  answer: (request: Request) => Promise<Response>,
): Promise<Array<ItemResult<Response>>> {
  if (requests.length > maxRequests) {
    throw new InvalidArgumentError('too_many_requests', `at most ${maxRequests} requests per call, not ${requests.length}`);
  }
  return Promise.all(
    requests.map((request) =>
      answer(request).then(
        (response): ItemResult<Response> => ({ response }),
        (error: unknown): ItemResult<Response> => {
          if (!isRefusal(error)) throw error;
          return { error: toItemStatus(error) };
        },
      ),
    ),
  );
}

/** The RpcException NestJS's gRPC transport sends for `error`; what was thrown stays as `cause`. */
export function toRpcException(error: unknown): RpcException {
  if (error instanceof RpcException) return error;
  return Object.assign(new RpcException(toGrpcStatus(error)), { cause: error });
}

/** The reason a failed call carries (client side), or undefined. */
export function errorReasonOf(error: unknown): string | undefined {
  const metadata = (error as Partial<GrpcServiceError> | undefined)?.metadata;
  const value = metadata instanceof Metadata ? metadata.get(ERROR_REASON_KEY)[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Register innermost (after the observability interceptor), so metrics and logs see the mapped code. */
export class GrpcErrorMappingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    return next.handle().pipe(catchError((error: unknown) => throwError(() => toRpcException(error))));
  }
}
