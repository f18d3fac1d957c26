// Shared entry point logic of a sandbox's standalone `main.ts`: port from argv or environment,
// clean shutdown on SIGINT/SIGTERM.
export interface SandboxMainOptions {
  name: string;
  defaultPort: number;
  /** Environment variable that may carry the port, e.g. ERP_SANDBOX_PORT. */
  portEnv: string;
  start(options: { port: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
}

/** `node main.js [port]`; otherwise `$<portEnv>`, otherwise the default. `$SANDBOX_HOST` sets the host. */
export async function runSandboxMain(options: SandboxMainOptions): Promise<void> {
  const rawPort = process.argv[2] ?? process.env[options.portEnv] ?? String(options.defaultPort);
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port ${JSON.stringify(rawPort)} for the ${options.name} sandbox`);
    process.exit(2);
  }
  const sandbox = await options.start({ port, host: process.env.SANDBOX_HOST });
  console.log(JSON.stringify({ msg: `${options.name} sandbox listening`, url: sandbox.url }));
  const stop = () => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
