// Runs the Shopify sandbox on its own: `node dist/main.js [port]` (default 7001, or $SHOPIFY_SANDBOX_PORT).
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { SHOPIFY_SANDBOX_DEFAULT_PORT, startShopifySandbox } from './shopify-sandbox.js';

await sandboxKit.runSandboxMain({
  name: 'shopify',
  defaultPort: SHOPIFY_SANDBOX_DEFAULT_PORT,
  portEnv: 'SHOPIFY_SANDBOX_PORT',
  start: startShopifySandbox,
});
