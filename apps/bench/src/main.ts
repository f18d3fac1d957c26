// `npm run bench -- <name>`: runs one benchmark and prints its figures; the last line is JSON.
import { measureAvailability } from './availability.bench.js';
import { measureOrders } from './orders.bench.js';
import { measureRawAmqp } from './raw-amqp.js';

const benchmarks: Record<string, () => Promise<unknown>> = {
  availability: async () => measureAvailability(),
  orders: async () => measureOrders(),
  'raw-amqp': async () => measureRawAmqp(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'),
};

const name = process.argv[2] ?? '';
const run = benchmarks[name];
if (!run) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}>`);
  process.exit(2);
}
const result = await run();
console.log(JSON.stringify(result));
