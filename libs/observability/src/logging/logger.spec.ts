import { describe, expect, it } from 'vitest';
import { runWithTraceparent } from '../trace/trace-context.js';
import { createLogger } from './logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('createLogger', () => {
  it('writes JSON lines with the service, a level name and an ISO time', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'catalog', destination }).info({ sku: 'SKU-1' }, 'product upserted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'catalog', level: 'info', msg: 'product upserted', sku: 'SKU-1' });
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('adds the trace and span id of the current trace context', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'catalog', destination });
    await runWithTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', async () => {
      await Promise.resolve();
      logger.child({ component: 'test' }).warn('inside');
    });
    expect(lines[0]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', component: 'test', level: 'warn' });
    expect(lines[0].span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('drops lines below the configured level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ service: 'catalog', level: 'warn', destination });
    logger.info('hidden');
    logger.error('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
