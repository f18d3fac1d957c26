// grpc.health.v1.Health on the service's gRPC server, for Kubernetes gRPC probes and
// `grpc-health-probe`. The overall status ('') and each served service start NOT_SERVING,
// turn SERVING once the service is started and back to NOT_SERVING when it begins to shut
// down, so probes and clients stop sending it work before the server closes.
import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

export class GrpcHealth {
  private readonly implementation: HealthImplementation;
  private readonly names: string[];

  /** `serviceNames`: full names of the served services, e.g. `retail.catalog.v1.CatalogService`. */
  constructor(serviceNames: readonly string[]) {
    this.names = ['', ...serviceNames];
    this.implementation = new HealthImplementation(Object.fromEntries(this.names.map((name) => [name, 'NOT_SERVING'])));
  }

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  setServing(): void {
    this.setAll('SERVING');
  }

  setNotServing(): void {
    this.setAll('NOT_SERVING');
  }

  private setAll(status: ServingStatus): void {
    for (const name of this.names) this.implementation.setStatus(name, status);
  }
}
