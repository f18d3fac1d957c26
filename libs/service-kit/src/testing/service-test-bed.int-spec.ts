// The int-spec harness on both deployments: what the services are configured with, that the
// test's bus and the services' bus are one broker, replicas share the database, and close()
// leaves nothing behind.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { grpcServices } from '@retail-mesh/contracts';
import { waitFor } from '@retail-mesh/testing';
import { describe, expect, it } from 'vitest';
import { defineService } from '../definition/service-definition.js';
import { env } from '../config/config-schema.js';
import { createServiceTestBed, scrapeMetric, type ServiceTestMode } from './service-test-bed.js';

@Module({})
class EmptyModule {}

const bedService = defineService({
  name: 'test-bed-fixture',
  grpc: grpcServices.catalog,
  ports: { grpc: 0, http: 0 },
  settings: { greeting: env.string('FIXTURE_GREETING') },
  entities: [],
  migrations: [],
  module: () => ({ module: EmptyModule }),
});

describe.each<ServiceTestMode>(['postgres+rabbitmq', 'sqlite+in-process'])('createServiceTestBed in %s mode', (mode) => {
  it('starts replicas on one database, shares the broker with the test and cleans up', async () => {
    const testBed = await createServiceTestBed(bedService, { mode, settings: { FIXTURE_GREETING: 'hello' } });
    try {
      const dataDir = testBed.environment.DATA_DIR;
      expect(existsSync(dataDir)).toBe(true);
      const first = await testBed.start();
      const second = await testBed.start();

      expect(first.config.settings).toEqual({ greeting: 'hello' });
      expect(first.grpcUrl).not.toBe(second.grpcUrl);
      expect(second.config.database).toEqual(first.config.database);
      expect(first.config.database.type).toBe(mode === 'postgres+rabbitmq' ? 'postgres' : 'sqlite');
      expect(await scrapeMetric(first, 'retail_mesh_no_such_metric')).toBe(0);

      const seen: string[] = [];
      await testBed.bus.consume({ queue: 'test.bed', bindings: ['fixture.#'] }, async (delivery) => {
        seen.push(delivery.routingKey);
      });
      await first.bus.publish([{ id: randomUUID(), routingKey: 'fixture.published', body: Buffer.from('x'), headers: {} }]);
      await waitFor(() => seen.includes('fixture.published'), { description: 'the service bus to reach the test bus' });

      await testBed.close();
      expect(existsSync(dataDir)).toBe(false);
      await expect(fetch(`${first.httpUrl}/healthz`)).rejects.toThrow();
    } finally {
      await testBed.close();
    }
  });
});
