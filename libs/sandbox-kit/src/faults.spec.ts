import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultRules, type FaultRule, type FaultTarget } from './faults.js';

const request = (path = '/api/things', method = 'POST', operations: string[] = []): FaultTarget => ({ method, path, operations });

function injector(rules: FaultRule[], now = () => 0): FaultInjector {
  const faults = new FaultInjector(now, () => 0.5);
  faults.set(rules);
  return faults;
}

describe('parseFaultRules', () => {
  it('accepts one rule, a list, or {faults: [...]}', () => {
    const rule = { type: 'serverError', status: 503, count: 2 };
    expect(parseFaultRules(rule)).toEqual({ ok: true, rules: [rule] });
    expect(parseFaultRules([rule, { type: 'drop' }])).toMatchObject({ ok: true, rules: [rule, { type: 'drop' }] });
    expect(parseFaultRules({ faults: [rule] })).toEqual({ ok: true, rules: [rule] });
  });

  it('reads an empty body, {} or [] as "no faults"', () => {
    for (const empty of [undefined, {}, []]) expect(parseFaultRules(empty)).toEqual({ ok: true, rules: [] });
  });

  it.each([
    [{ type: 'explode' }, 'type must be one of'],
    [{ type: 'drop', count: -1 }, 'count must be a non-negative integer'],
    [{ type: 'latency' }, 'latency needs ms'],
    [{ type: 'latency', minMs: 50, maxMs: 10 }, 'minMs must not exceed maxMs'],
    [{ type: 'serverError', status: 200 }, 'status must be a 4xx or 5xx code'],
    [{ type: 'drop', pathRegex: '(' }, 'pathRegex is not a valid regular expression'],
    [{ type: 'drop', probability: 2 }, 'probability must be between 0 and 1'],
  ])('rejects %j', (rule, message) => {
    const result = parseFaultRules([rule]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});

describe('FaultInjector', () => {
  it('fires a count rule exactly N times', () => {
    const faults = injector([{ type: 'rateLimit', count: 2 }]);
    const outcomes = [1, 2, 3].map(() => faults.take(request()).terminal?.type);
    expect(outcomes).toEqual(['rateLimit', 'rateLimit', undefined]);
    expect(faults.list()[0]).toMatchObject({ fired: 2, remaining: 0, active: false });
  });

  it('lets `skip` requests through first', () => {
    const faults = injector([{ type: 'serverError', skip: 2, count: 1 }]);
    expect([1, 2, 3, 4].map(() => faults.take(request()).terminal?.type)).toEqual([undefined, undefined, 'serverError', undefined]);
  });

  it('counts skipped requests even when an earlier rule decided them', () => {
    const faults = injector([
      { type: 'serverError', count: 1 },
      { type: 'malformed', skip: 1, count: 1 },
    ]);
    expect([1, 2, 3].map(() => faults.take(request()).terminal?.type)).toEqual(['serverError', 'malformed', undefined]);
  });

  it('fires a duration rule until the time is up', () => {
    let now = 1_000;
    const faults = injector([{ type: 'rateLimit', durationMs: 500 }], () => now);
    expect(faults.take(request()).terminal?.type).toBe('rateLimit');
    now = 1_499;
    expect(faults.take(request()).terminal?.type).toBe('rateLimit');
    now = 1_500;
    expect(faults.take(request()).terminal).toBeUndefined();
  });

  it('scopes by path prefix, path regex, method and operation, consuming only matching requests', () => {
    const faults = injector([
      { type: 'drop', path: '/services/rest', count: 1 },
      { type: 'timeout', pathRegex: 'restlet\\.nl$', method: 'GET', count: 1 },
      { type: 'malformed', operation: 'inventorySetQuantities', count: 1 },
    ]);
    expect(faults.take(request('/other')).terminal).toBeUndefined();
    expect(faults.take(request('/app/site/hosting/restlet.nl', 'POST')).terminal).toBeUndefined();
    expect(faults.take(request('/app/site/hosting/restlet.nl', 'GET')).terminal?.type).toBe('timeout');
    expect(faults.take(request('/graphql', 'POST', ['productVariants'])).terminal).toBeUndefined();
    expect(faults.take(request('/graphql', 'POST', ['inventorySetQuantities'])).terminal?.type).toBe('malformed');
    expect(faults.take(request('/services/rest/record/v1/salesOrder')).terminal?.type).toBe('drop');
  });

  it('adds latency and still lets the first outcome rule decide; later outcome rules are not consumed', () => {
    const faults = injector([
      { type: 'latency', ms: 20 },
      { type: 'latency', minMs: 10, maxMs: 30 },
      { type: 'serverError', count: 1 },
      { type: 'drop', count: 1 },
    ]);
    expect(faults.take(request())).toEqual({ latencyMs: 40, terminal: { type: 'serverError', count: 1 } });
    expect(faults.take(request()).terminal?.type).toBe('drop');
    expect(faults.take(request()).terminal).toBeUndefined();
  });

  it('adds rules after the active ones without resetting them, and removes them by id', () => {
    const faults = injector([{ type: 'serverError', count: 2 }]);
    expect(faults.take(request()).terminal?.type).toBe('serverError');
    const [outage] = faults.add([{ type: 'drop' }]);
    expect(faults.list().map((fault) => [fault.rule.type, fault.remaining])).toEqual([
      ['serverError', 1],
      ['drop', null],
    ]);
    expect(faults.take(request()).terminal?.type).toBe('serverError');
    expect(faults.take(request()).terminal?.type).toBe('drop');
    faults.remove([outage]);
    expect(faults.take(request()).terminal).toBeUndefined();
    expect(faults.list()).toHaveLength(1);
  });

  it('replaces the rules on set and forgets them on clear', () => {
    const faults = injector([{ type: 'drop' }]);
    faults.set([{ type: 'timeout' }]);
    expect(faults.take(request()).terminal?.type).toBe('timeout');
    faults.clear();
    expect(faults.take(request()).terminal).toBeUndefined();
  });
});
