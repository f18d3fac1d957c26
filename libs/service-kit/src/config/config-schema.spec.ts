import { describe, expect, it } from 'vitest';
import { ConfigError, env, readConfig } from './config-schema.js';
import { readServiceConfig } from './service-config.js';

function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig', () => {
  const schema = {
    port: env.port('PORT'),
    workers: env.int('WORKERS', { min: 1, max: 16 }).default(4),
    api: env.url('API_URL', ['http:', 'https:']).optional(),
    mode: env.oneOf('MODE', ['fast', 'safe']).default('safe'),
    verbose: env.boolean('VERBOSE').default(false),
    name: env.string('NAME', { pattern: /^[a-z]+$/ }).default('mesh'),
  };

  it('parses values and applies defaults for unset or empty variables', () => {
    const values = readConfig(schema, { PORT: '8080', WORKERS: '', VERBOSE: 'YES', API_URL: 'https://example.test/x' });
    expect(values).toEqual({ port: 8080, workers: 4, api: 'https://example.test/x', mode: 'safe', verbose: true, name: 'mesh' });
  });

  it('leaves an optional variable undefined', () => {
    expect(readConfig(schema, { PORT: '0' }).api).toBeUndefined();
  });

  it('reports every bad or missing variable at once, naming it and what was expected', () => {
    const problems = problemsOf(() =>
      readConfig(schema, { WORKERS: '17', API_URL: 'ftp://example.test', MODE: 'turbo', VERBOSE: 'maybe', NAME: 'Mesh' }),
    );
    expect(problems).toEqual([
      'PORT is required: expected a TCP port from 0 to 65535',
      'WORKERS must be an integer from 1 to 16, got "17"',
      'API_URL must be a URL starting with http:// or https://, got "ftp://example.test"',
      'MODE must be one of fast, safe, got "turbo"',
      'VERBOSE must be a boolean (true/false, 1/0, yes/no), got "maybe"',
      'NAME must be a string matching /^[a-z]+$/, got "Mesh"',
    ]);
  });

  it.each(['65536', '-1', '80.5', '0x50', '1e3', 'eighty'])('rejects port %s', (raw) => {
    expect(problemsOf(() => readConfig({ port: env.port('PORT') }, { PORT: raw }))).toEqual([
      `PORT must be a TCP port from 0 to 65535, got ${JSON.stringify(raw)}`,
    ]);
  });

  it('puts the problems in the error message', () => {
    expect(() => readConfig({ port: env.port('GRPC_PORT') }, { GRPC_PORT: 'abc' })).toThrow(
      'invalid configuration:\n  - GRPC_PORT must be a TCP port from 0 to 65535, got "abc"',
    );
  });

  it('refuses a variable name that is not upper snake case', () => {
    expect(() => env.string('grpcPort')).toThrow(/upper snake case/);
  });
});

describe('readServiceConfig', () => {
  const defaults = { service: 'erp-connector', grpcPort: 50056, httpPort: 9156 };

  it('defaults to the service ports, SQLite under DATA_DIR and the retail.events exchange', () => {
    const config = readServiceConfig(defaults, undefined, { DATA_DIR: '/var/lib/mesh' });
    expect(config).toEqual({
      service: 'erp-connector',
      bindHost: '0.0.0.0',
      grpcPort: 50056,
      httpPort: 9156,
      database: { type: 'sqlite', path: '/var/lib/mesh/erp-connector.sqlite' },
      rabbitmqUrl: undefined,
      eventsExchange: 'retail.events',
      logLevel: 'info',
      migrateOnStart: true,
      migrateOnly: false,
      inboxRetentionHours: 168,
      inboxPurgeIntervalMs: 3_600_000,
      settings: {},
    });
  });

  it('uses PostgreSQL with a schema named after the service when DATABASE_URL is set', () => {
    const config = readServiceConfig(defaults, undefined, {
      DATABASE_URL: 'postgres://mesh@db:5432/mesh',
      RABBITMQ_URL: 'amqp://guest:guest@mq:5672',
      MIGRATE_ON_START: 'false',
      MIGRATE_ONLY: '1',
      LOG_LEVEL: 'debug',
    });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://mesh@db:5432/mesh', schema: 'erp_connector' });
    expect(config).toMatchObject({
      rabbitmqUrl: 'amqp://guest:guest@mq:5672',
      migrateOnStart: false,
      migrateOnly: true,
      logLevel: 'debug',
    });
  });

  it('reads the service settings and reports their problems with the standard ones', () => {
    const settings = {
      erpBaseUrl: env.url('ERP_BASE_URL', ['http:', 'https:']),
      pollIntervalMs: env.int('ERP_POLL_INTERVAL_MS', { min: 10 }).default(500),
    };
    expect(readServiceConfig(defaults, settings, { ERP_BASE_URL: 'http://127.0.0.1:7000' }).settings).toEqual({
      erpBaseUrl: 'http://127.0.0.1:7000',
      pollIntervalMs: 500,
    });
    expect(
      problemsOf(() => readServiceConfig(defaults, settings, { HTTP_PORT: 'x', DATABASE_URL: 'mysql://db', LOG_LEVEL: 'loud' })),
    ).toEqual([
      'HTTP_PORT must be a TCP port from 0 to 65535, got "x"',
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://, got "mysql://db"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'ERP_BASE_URL is required: expected a URL starting with http:// or https://',
    ]);
  });
});
