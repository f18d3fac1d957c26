// Runs the ERP sandbox on its own: `node dist/main.js [port]` (default 7000, or $ERP_SANDBOX_PORT).
import { ERP_SANDBOX_DEFAULT_PORT, startErpSandbox } from './erp-sandbox.js';
import { runSandboxMain } from '@retail-mesh/sandbox-kit';

await runSandboxMain({ name: 'erp', defaultPort: ERP_SANDBOX_DEFAULT_PORT, portEnv: 'ERP_SANDBOX_PORT', start: startErpSandbox });
