// `npm start`: the whole mesh in one process, seeded with demo data.
import path from 'node:path';
import { demoSkus, seedDemo, DEMO_SAFETY_STOCK } from './demo-data.js';
import { startEmbeddedMesh } from './embedded-mesh.js';
import { listeningReport } from './listening-report.js';
import { stopOnSignals } from './stop-on-signals.js';
import { REPO_ROOT } from './topology.js';

const dataDir = path.join(REPO_ROOT, '.data');
const mesh = await startEmbeddedMesh({ dataDir, logLevel: process.env.LOG_LEVEL ?? 'warn' });
const skus = demoSkus();
await seedDemo(mesh.layout, skus);

console.log(
  listeningReport('embedded', mesh.layout, [
    '',
    `demo: ${skus.length} SKUs at 2 warehouses; Shopify account ${mesh.layout.shopifyAccounts[0].channelAccountId} with safety stock ${DEMO_SAFETY_STOCK}`,
    `data: SQLite files in ${dataDir}`,
    '',
    'try:  curl -X PUT localhost:7000/_sandbox/stock -H content-type:application/json -d \'{"sku":"DEMO-001-M","location":"WH-EAST","onHand":25}\'',
    '      curl "localhost:7001/_sandbox/inventory-levels?shop=retail-mesh-demo&sku=DEMO-001-M"',
    '',
    'Ctrl-C stops it.',
  ]),
);

stopOnSignals(() => mesh.stop());
