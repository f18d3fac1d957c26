// Client side of grpc.health.v1 and server reflection: what a readiness wait, a smoke test or
// an operator's script uses to ask a running service whether it serves and what.
import { createRequire } from 'node:module';
import path from 'node:path';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type ClientConstructor = new (address: string, channelCredentials: ReturnType<typeof credentials.createInsecure>) => Client;

const loader = { keepCase: true, enums: String, defaults: true, longs: String };
let healthClient: ClientConstructor | undefined;
let reflectionClient: ClientConstructor | undefined;

function lookup(definition: object, name: string): ClientConstructor {
  return name.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], definition) as ClientConstructor;
}

/** The serving status (`SERVING`, `NOT_SERVING`, ...) a server reports for `service` ('' = the server as a whole). */
export async function grpcHealthStatus(address: string, service = '', deadlineMs = 5000): Promise<string> {
  healthClient ??= lookup(loadPackageDefinition(loadSync(healthProtoPath, loader)), 'grpc.health.v1.Health');
  const client = new healthClient(address, credentials.createInsecure()) as Client & {
    check(request: object, options: object, callback: (error: ServiceError | null, response: { status: string }) => void): void;
  };
  try {
    return await new Promise<string>((resolve, reject) =>
      client.check({ service }, { deadline: Date.now() + deadlineMs }, (error, response) =>
        error ? reject(error) : resolve(response.status),
      ),
    );
  } finally {
    client.close();
  }
}

/** The full names of the services a server describes through reflection (v1). */
export async function listGrpcServices(address: string, deadlineMs = 5000): Promise<string[]> {
  if (!reflectionClient) {
    const packageRoot = path.dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json'));
    const protoFile = path.join(packageRoot, 'build/proto/grpc/reflection/v1/reflection.proto');
    reflectionClient = lookup(loadPackageDefinition(loadSync(protoFile, loader)), 'grpc.reflection.v1.ServerReflection');
  }
  const client = new reflectionClient(address, credentials.createInsecure()) as Client & {
    ServerReflectionInfo(options: object): NodeJS.EventEmitter & { write(message: object): void; end(): void };
  };
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo({ deadline: Date.now() + deadlineMs });
      call.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((response.list_services_response?.service ?? []).map((service) => service.name));
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}
