import { status as GrpcStatus } from '@grpc/grpc-js';
import { ServiceError } from '@retail-mesh/service-kit';

/** A ChannelAdapterService call this adapter does not offer (yet): UNIMPLEMENTED, not INTERNAL. */
export class UnimplementedError extends ServiceError {
  override readonly name = 'UnimplementedError';
  readonly code = GrpcStatus.UNIMPLEMENTED;
}
