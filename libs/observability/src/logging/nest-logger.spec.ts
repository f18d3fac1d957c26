import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { NestPinoLogger } from './nest-logger.js';

describe('NestPinoLogger', () => {
  it('writes Nest messages as JSON lines with their context and stack', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = new NestPinoLogger(
      createLogger({ service: 'catalog', level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }),
    );
    logger.log('Nest application successfully started', 'NestApplication');
    logger.error('handler failed', 'Error: boom\n    at handler', 'ExceptionsHandler');
    logger.warn({ detail: 'structured' }, 'Injector');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', component: 'nest:NestApplication', msg: 'Nest application successfully started' }),
      expect.objectContaining({
        level: 'error',
        component: 'nest:ExceptionsHandler',
        stack: 'Error: boom\n    at handler',
        msg: 'handler failed',
      }),
      expect.objectContaining({ level: 'warn', component: 'nest:Injector', detail: 'structured' }),
    ]);
  });
});
