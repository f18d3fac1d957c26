import { createServer, type AddressInfo } from 'node:net';

/**
 * A port that was free a moment ago on `host`. NestJS's gRPC transport does not report the
 * port it bound, so for GRPC_PORT=0 (tests) the kit picks one first.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
