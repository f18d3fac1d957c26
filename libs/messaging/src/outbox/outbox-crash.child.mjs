// The process that crashes in outbox-crash.int-spec.ts: it commits outbox messages, says so,
// and then waits without ever publishing until the test kills it with SIGKILL.
// Runs on the built libraries (dist/), as a deployed service would.
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';

const outbox = await import(new URL('../../dist/outbox/index.js', import.meta.url).href);
const { database, messages } = JSON.parse(process.argv[2]);

const dataSource = await createDataSource({
  ...database,
  entities: [outbox.OutboxMessage],
  migrations: outbox.OUTBOX_MIGRATIONS,
});
await runMigrations(dataSource);
await withTransaction(dataSource, (manager) =>
  outbox.Outbox.add(
    manager,
    messages.map((message) => ({ ...message, body: Buffer.from(message.body, 'base64') })),
  ),
);
process.stdout.write('committed\n');
setInterval(() => undefined, 60_000);
