// `npm run distributed`: one process per service over RabbitMQ and PostgreSQL, seeded with demo data.
import { demoSkus, seedDemoChannels, seedDemoMesh } from './demo-data.js';
import { startDistributedMesh } from './distributed-mesh.js';
import { listeningReport } from './listening-report.js';
import { stopOnSignals } from './stop-on-signals.js';

const rabbitmqUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const skus = demoSkus();
const mesh = await startDistributedMesh({
  rabbitmqUrl,
  databaseUrl,
  logLevel: process.env.LOG_LEVEL ?? 'info',
  onLine: (name, line) => console.log(`[${name}] ${line}`),
  beforeServices: (layout) => seedDemoChannels(layout, skus),
});
await seedDemoMesh(mesh.layout, skus);
console.log(
  listeningReport('distributed', mesh.layout, [
    '',
    `broker: ${rabbitmqUrl.replace(/\/\/.*@/, '//')}  database: ${databaseUrl}`,
    'Ctrl-C stops it.',
  ]),
);

stopOnSignals(() => mesh.stop());
