// The settled-cursor migration on a database that already holds poll cursors: each moves back by
// the overlap the old polls read again, on PostgreSQL and on SQLite, and reads back as a Date.
import { createDataSource, runMigrations } from '@retail-mesh/persistence';
import { MigrationDatabases } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { channelAmazonService } from '../channel-amazon.definition.js';
import { OrderCursor } from '../orders/order-cursor.entity.js';
import { OrderCursorRepository } from '../orders/order-cursor.repository.js';
import { SettledOrderCursor1797000000000 } from './1797000000000-settled-order-cursor.js';

const databases = new MigrationDatabases('channel-amazon');

afterAll(() => databases.remove());

describe.each(['postgres', 'sqlite'] as const)('SettledOrderCursor on %s', (type) => {
  it('moves every order poll cursor back by the overlap the old polls read again', async () => {
    const at = channelAmazonService.migrations.indexOf(SettledOrderCursor1797000000000);
    const options = await databases.options(type);
    const database = { entities: [...channelAmazonService.entities] };
    const earlier: DataSource = await createDataSource({
      ...options,
      ...database,
      migrations: channelAmazonService.migrations.slice(0, at),
    });
    let dataSource: DataSource | undefined;
    try {
      await runMigrations(earlier);
      const cursors = new OrderCursorRepository(earlier);
      const polledAt = new Date('2026-11-27T10:00:07.000Z');
      await cursors.advance('amazon-a', new Date('2026-11-27T10:00:05.250Z'), polledAt);
      await cursors.advance('amazon-b', new Date('2026-11-27T00:02:00.000Z'), polledAt);
      await earlier.destroy();

      dataSource = await createDataSource({ ...options, ...database, migrations: [...channelAmazonService.migrations] });
      expect(await runMigrations(dataSource)).toEqual(channelAmazonService.migrations.slice(at).map((migration) => migration.name));
      const moved = new OrderCursorRepository(dataSource);
      expect(await moved.load('amazon-a')).toEqual(new Date('2026-11-27T09:55:05.250Z'));
      expect((await dataSource.getRepository(OrderCursor).findOneBy({ channelAccountId: 'amazon-a' }))?.updatedAt).toEqual(polledAt);
      // Across midnight, and still compared as a timestamp: a later cursor replaces it, an earlier one does not.
      expect(await moved.load('amazon-b')).toEqual(new Date('2026-11-26T23:57:00.000Z'));
      await moved.advance('amazon-b', new Date('2026-11-26T23:56:59.999Z'), polledAt);
      expect(await moved.load('amazon-b')).toEqual(new Date('2026-11-26T23:57:00.000Z'));
      await moved.advance('amazon-b', new Date('2026-11-26T23:57:00.001Z'), polledAt);
      expect(await moved.load('amazon-b')).toEqual(new Date('2026-11-26T23:57:00.001Z'));
    } finally {
      if (earlier.isInitialized) await earlier.destroy();
      if (dataSource?.isInitialized) await dataSource.destroy();
    }
  });
});
