// Each test file gets its own RabbitMQ vhost and PostgreSQL schema, so parallel files and
// concurrent runs on the same machine never see each other's messages or rows.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Runs `rabbitmqctl -q <args>` against the local broker and returns what it printed. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  return (await run('rabbitmqctl', ['-q', ...args])).stdout;
}

export const TEST_RABBITMQ_HOST = process.env.TEST_RABBITMQ_HOST ?? '127.0.0.1:5672';
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A short name that is unique across runs, safe for vhosts, schemas and queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TestVhost {
  name: string;
  url: string;
  remove(): Promise<void>;
}

export async function createTestVhost(prefix = 'rm_test'): Promise<TestVhost> {
  const name = uniqueName(prefix);
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  return {
    name,
    url: `amqp://guest:guest@${TEST_RABBITMQ_HOST}/${encodeURIComponent(name)}`,
    remove: async () => {
      await rabbitmqctl('delete_vhost', name);
    },
  };
}

export interface TestSchema {
  name: string;
  /** DATABASE_URL with the schema to use (`?schema=` is read by libs/persistence). */
  url: string;
  remove(): Promise<void>;
}

export async function createTestSchema(prefix = 'rm_test'): Promise<TestSchema> {
  const name = uniqueName(prefix);
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await client.end();
  }
  return {
    name,
    url: TEST_POSTGRES_URL,
    remove: async () => {
      const dropper = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Drops every schema whose name starts with `prefix` (a distributed mesh makes one per service). */
export async function dropSchemasWithPrefix(prefix: string): Promise<void> {
  if (!/^[a-z0-9_]+$/i.test(prefix)) throw new Error(`unsafe schema prefix ${prefix}`);
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [prefix]);
    for (const row of rows) await client.query(`DROP SCHEMA IF EXISTS "${row.nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}
