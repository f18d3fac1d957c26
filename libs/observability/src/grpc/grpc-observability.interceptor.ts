// Around every gRPC call the server handles: restores the caller's trace context from the
// `traceparent` metadata (a new trace when absent), records RED metrics
// (grpc_server_handled_total, grpc_server_handling_seconds) and writes one log line.
//
// Register it outermost (before any error-mapping interceptor): it reads the status code from
// the error that leaves the inner interceptors.
import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { grpcStatusName } from '../metrics/service-metrics.js';
import { runWithTraceparent } from '../trace/trace-context.js';
import { traceparentFromMetadata } from '../trace/trace-propagation.js';

interface GrpcCallLike {
  getPath?(): string;
}

export interface GrpcMethodName {
  grpcService: string;
  grpcMethod: string;
}

/** `/retail.catalog.v1.CatalogService/UpsertProduct` -> service and method. */
export function grpcMethodFromPath(path: string): GrpcMethodName | undefined {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return match ? { grpcService: match[1], grpcMethod: match[2] } : undefined;
}

/** The gRPC status code an error carries (RpcException, grpc-js ServiceError, `{ code }`); UNKNOWN otherwise. */
export function grpcCodeOf(error: unknown): number {
  const candidate =
    typeof (error as { getError?: unknown })?.getError === 'function' ? (error as { getError(): unknown }).getError() : error;
  const code = (candidate as { code?: unknown } | null)?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16 ? code : GrpcStatus.UNKNOWN;
}

// Statuses that mean the server (or something it depends on) failed, as opposed to the caller
// asking for something impossible or not offered (UNIMPLEMENTED is a known gap of the service,
// answered on purpose): these are logged as errors.
const SERVER_FAULTS = new Set<number>([GrpcStatus.UNKNOWN, GrpcStatus.INTERNAL, GrpcStatus.UNAVAILABLE, GrpcStatus.DATA_LOSS]);

/** The level a failed call is logged at: error for a server fault, warn for a refused request. */
export function failedCallLogLevel(code: number): 'error' | 'warn' {
  return SERVER_FAULTS.has(code) ? 'error' : 'warn';
}

export class GrpcObservabilityInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly logger: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.switchToRpc().getContext<Metadata | undefined>();
    const call = context.getArgByIndex<GrpcCallLike | undefined>(2);
    const name = grpcMethodFromPath(call?.getPath?.() ?? '') ?? {
      grpcService: context.getClass().name,
      grpcMethod: context.getHandler().name,
    };
    // Subscribing inside the trace context makes the handler, and everything it awaits, run in it.
    return new Observable((subscriber) =>
      runWithTraceparent(traceparentFromMetadata(metadata), () => {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        return next
          .handle()
          .pipe(
            tap({
              complete: () => this.record(name, GrpcStatus.OK, seconds()),
              error: (error: unknown) => this.record(name, grpcCodeOf(error), seconds(), error),
            }),
          )
          .subscribe(subscriber);
      }),
    );
  }

  private record(name: GrpcMethodName, code: number, seconds: number, error?: unknown): void {
    this.metrics.observeGrpcCall({ ...name, code, seconds });
    const details = {
      grpc_service: name.grpcService,
      grpc_method: name.grpcMethod,
      grpc_code: grpcStatusName(code),
      duration_ms: Math.round(seconds * 1e6) / 1e3,
    };
    if (error === undefined) this.logger.info(details, 'grpc call handled');
    // An error mapped to a status keeps what was thrown as `cause`: log that, with its stack.
    else if (failedCallLogLevel(code) === 'error')
      this.logger.error({ ...details, err: (error as { cause?: unknown }).cause ?? error }, 'grpc call failed');
    else this.logger.warn({ ...details, error: errorMessage(error) }, 'grpc call rejected');
  }
}

function errorMessage(error: unknown): string {
  const inner = typeof (error as { getError?: unknown })?.getError === 'function' ? (error as { getError(): unknown }).getError() : error;
  if (typeof inner === 'string') return inner;
  const { details, message } = (inner ?? {}) as { details?: unknown; message?: unknown };
  return String(details ?? message ?? inner);
}
