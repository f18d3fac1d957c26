// gRPC server reflection (v1 and v1alpha), so grpcurl and Postman can list and call a service
// without its .proto files. It describes the service's own package definition plus
// grpc.health.v1, which the server also serves.
import type { Server } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

let healthDefinition: PackageDefinition | undefined;

export function addGrpcReflection(server: Pick<Server, 'addService'>, packageDefinition: PackageDefinition, loaderOptions: Options): void {
  healthDefinition ??= loadSync(healthProtoPath, { ...loaderOptions, includeDirs: [] });
  new ReflectionService({ ...healthDefinition, ...packageDefinition }).addToServer(server);
}
