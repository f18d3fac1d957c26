// Service-to-service gRPC calls. A client is typed by the ts-proto client interface of the
// callee (`catalogV1.CatalogServiceClient`) but returns Promises, encodes with the same
// proto-loader options as the NestJS servers, sends the current trace context as `traceparent`
// metadata, and gives every call a deadline so a stuck callee cannot hang the caller.
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { PROTO_ROOT, protoLoaderOptions, type GrpcServiceContract } from '@retail-mesh/contracts';
import { setTraceparentInMetadata, traceparentFromMetadata } from '@retail-mesh/observability';
import path from 'node:path';
import type { Observable } from 'rxjs';

export interface CallSettings {
  /** Default: the client's `deadlineMs`. */
  deadlineMs?: number;
  /** Extra metadata; `traceparent` is set from the current trace context unless it has one. */
  metadata?: Metadata;
}

type PromiseMethod<M> = M extends (request: infer Request, metadata?: Metadata) => Observable<infer Response>
  ? (request: Request, settings?: CallSettings) => Promise<Response>
  : never;

/** The ts-proto client interface `C` with Promise-returning methods. */
export type GrpcClient<C> = { [K in keyof C]: PromiseMethod<C[K]> } & {
  /** Closes the channel. */
  close(): void;
};

export interface GrpcClientOptions {
  /** Per-call deadline unless a call says otherwise. Default 10 s. */
  deadlineMs?: number;
}

const DEFAULT_DEADLINE_MS = 10_000;
const definitions = new Map<string, PackageDefinition>();

interface MethodDefinition {
  originalName?: string;
  requestStream: boolean;
  responseStream: boolean;
}

type UnaryCall = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => unknown;

/**
 * A client of `contract` (from `grpcServices`) at `address` (`host:port`, e.g. a
 * RunningService's grpcUrl): `createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, url)`.
 * Failed calls reject with the grpc-js ServiceError (`code`, `details`; `errorReasonOf(error)` reads the reason).
 */
export function createGrpcClient<C>(contract: GrpcServiceContract, address: string, options: GrpcClientOptions = {}): GrpcClient<C> {
  let definition = definitions.get(contract.protoPath);
  if (!definition) {
    definition = loadSync(path.join(PROTO_ROOT, contract.protoPath), protoLoaderOptions);
    definitions.set(contract.protoPath, definition);
  }
  const fullName = `${contract.packageName}.${contract.serviceName}`;
  const constructor = fullName
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], loadPackageDefinition(definition)) as
    (new (address: string, channelCredentials: ReturnType<typeof credentials.createInsecure>) => Client) | undefined;
  const methods = (constructor as { service?: Record<string, MethodDefinition> } | undefined)?.service;
  if (!constructor || !methods) throw new Error(`${fullName} is not a service in ${contract.protoPath}`);

  const client = new constructor(address, credentials.createInsecure()) as Client & Record<string, UnaryCall>;
  const defaultDeadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const wrapper: Record<string, unknown> = { close: () => client.close() };
  for (const [name, method] of Object.entries(methods)) {
    if (method.requestStream || method.responseStream) continue;
    const methodName = method.originalName ?? name.charAt(0).toLowerCase() + name.slice(1);
    wrapper[methodName] = (request: unknown, settings: CallSettings = {}) =>
      new Promise((resolve, reject) => {
        const metadata = settings.metadata?.clone() ?? new Metadata();
        // A traceparent the caller set explicitly wins over the current trace context.
        if (!traceparentFromMetadata(metadata)) setTraceparentInMetadata(metadata);
        const deadline = Date.now() + (settings.deadlineMs ?? defaultDeadlineMs);
        client[methodName](request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
      });
  }
  return wrapper as GrpcClient<C>;
}
