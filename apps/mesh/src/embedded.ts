// `npm start`: the whole mesh in one process, seeded with demo data.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { demoSkus, seedDemoChannels, seedDemoMesh, DEMO_SAFETY_STOCK } from './demo-data.js';
import { startEmbeddedMesh } from './embedded-mesh.js';
import { listeningReport } from './listening-report.js';
import { stopOnSignals } from './stop-on-signals.js';
import { REPO_ROOT, SERVICE_NAMES } from './topology.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(REPO_ROOT, '.data'));
const portOffset = Number(process.env.PORT_OFFSET ?? '0');
if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 2_000) {
  console.error(`PORT_OFFSET must be an integer from 0 to 2000 (added to every default port), got "${process.env.PORT_OFFSET}"`);
  process.exit(1);
}

// The sandboxes keep their state in memory and start empty, with ids and a stock feed counted
// from 1 again; state kept from an earlier run would point at orders and feed positions they no
// longer have (a stored feed cursor past the new feed's end would hide every stock change).
for (const service of SERVICE_NAMES) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(dataDir, `${service}.sqlite${suffix}`), { force: true });
}

const skus = demoSkus();
const mesh = await startEmbeddedMesh({
  dataDir,
  portOffset,
  logLevel: process.env.LOG_LEVEL ?? 'warn',
  beforeServices: (layout) => seedDemoChannels(layout, skus),
});
await seedDemoMesh(mesh.layout, skus);

const erp = mesh.layout.sandboxUrls.erp.replace('http://127.0.0.1', 'localhost');
const shopify = mesh.layout.sandboxUrls.shopify.replace('http://127.0.0.1', 'localhost');
console.log(
  listeningReport('embedded', mesh.layout, [
    '',
    `demo: ${skus.length} SKUs at 2 warehouses; Shopify account ${mesh.layout.shopifyAccounts[0].channelAccountId} with safety stock ${DEMO_SAFETY_STOCK}`,
    `data: SQLite files in ${dataDir} (cleared at start: the sandboxes start empty)`,
    '',
    `try:  curl -X PUT ${erp}/_sandbox/stock -H content-type:application/json -d '{"sku":"DEMO-001-M","location":"WH-EAST","onHand":25}'`,
    `      curl "${shopify}/_sandbox/inventory-levels?shop=retail-mesh-demo&sku=DEMO-001-M"`,
    '',
    'Ctrl-C stops it.',
  ]),
);

stopOnSignals(() => mesh.stop());
