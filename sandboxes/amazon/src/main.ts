// Runs the Amazon sandbox on its own: `node dist/main.js [port]` (default 7002, or $AMAZON_SANDBOX_PORT).
import { runSandboxMain } from '@retail-mesh/sandbox-kit';
import { AMAZON_SANDBOX_DEFAULT_PORT, startAmazonSandbox } from './amazon-sandbox.js';

await runSandboxMain({
  name: 'amazon',
  defaultPort: AMAZON_SANDBOX_DEFAULT_PORT,
  portEnv: 'AMAZON_SANDBOX_PORT',
  start: startAmazonSandbox,
});
