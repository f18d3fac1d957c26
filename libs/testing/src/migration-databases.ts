// Empty databases of both kinds for migration tests: a PostgreSQL schema of its own or a SQLite
// file in a directory of its own per call; `remove` drops them all once the file's tests ran.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestSchema, type TestSchema } from './isolation.js';

/** Connection options libs/persistence's createDataSource takes (with entities and migrations added). */
export type MigrationDatabaseOptions = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; schema: string };

export class MigrationDatabases {
  private readonly schemas: TestSchema[] = [];
  private readonly directories: string[] = [];

  /** `name`: what the schemas and directories are named after (the service). */
  constructor(private readonly name: string) {}

  async options(type: 'postgres' | 'sqlite'): Promise<MigrationDatabaseOptions> {
    if (type === 'sqlite') {
      const directory = await mkdtemp(path.join(tmpdir(), `rm-${this.name}-migration-`));
      this.directories.push(directory);
      return { type, path: path.join(directory, `${this.name}.sqlite`) };
    }
    const schema = await createTestSchema(`rm_${this.name.replaceAll('-', '_')}_migration`);
    this.schemas.push(schema);
    return { type, url: schema.url, schema: schema.name };
  }

  async remove(): Promise<void> {
    for (const schema of this.schemas.splice(0)) await schema.remove();
    for (const directory of this.directories.splice(0)) await rm(directory, { recursive: true, force: true });
  }
}
