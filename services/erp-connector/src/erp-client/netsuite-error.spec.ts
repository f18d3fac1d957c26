import { HttpStatusError } from '@retail-mesh/channel-kit';
import { describe, expect, it } from 'vitest';
import { salesOrderIdFromLocation } from './erp-sales-order.client.js';
import { isIdempotencyConflict, isPermanentRejection, netSuiteErrorOf } from './netsuite-error.js';

const envelope = (status: number, code: string, detail = 'x', path?: string) =>
  new HttpStatusError({
    status,
    body: JSON.stringify({ status, 'o:errorDetails': [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }] }),
  });

describe('NetSuite errors', () => {
  it('reads the code and detail (with the path) of the error envelope, the status otherwise', () => {
    expect(
      netSuiteErrorOf(envelope(400, 'INVALID_CONTENT', 'Invalid Field Value X for the following field: item', 'item.items[0].item')),
    ).toEqual({
      code: 'INVALID_CONTENT',
      message: 'Invalid Field Value X for the following field: item (at item.items[0].item)',
    });
    expect(netSuiteErrorOf(new HttpStatusError({ status: 502, body: '<html>' }))).toMatchObject({ code: 'HTTP_502' });
  });

  it.each([
    [envelope(400, 'INVALID_CONTENT'), true],
    [envelope(400, 'USER_ERROR'), true],
    [envelope(400, 'IDEMPOTENCY_ERROR'), false],
    [new HttpStatusError({ status: 400, body: '{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED"}}' }), false],
    [envelope(429, 'CONCURRENCY_LIMIT_EXCEEDED'), false],
    [envelope(401, 'INVALID_LOGIN'), false],
    [envelope(403, 'INSUFFICIENT_PERMISSION'), false],
    [envelope(503, 'UNEXPECTED_ERROR'), false],
    [new TypeError('fetch failed'), false],
  ])('%s is a permanent rejection: %s', (error, expected) => {
    expect(isPermanentRejection(error)).toBe(expected);
  });

  it('recognises the idempotency conflict', () => {
    expect(isIdempotencyConflict(envelope(400, 'IDEMPOTENCY_ERROR'))).toBe(true);
    expect(isIdempotencyConflict(envelope(400, 'USER_ERROR'))).toBe(false);
  });

  it('reads the sales order id from an absolute or relative Location', () => {
    expect(salesOrderIdFromLocation('https://123.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/5001')).toBe('5001');
    expect(salesOrderIdFromLocation('/services/rest/record/v1/salesOrder/77')).toBe('77');
    expect(salesOrderIdFromLocation('/services/rest/async/v1/job/123456')).toBeUndefined();
    expect(salesOrderIdFromLocation(null)).toBeUndefined();
  });
});
