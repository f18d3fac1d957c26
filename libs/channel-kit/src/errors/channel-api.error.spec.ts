import { describe, expect, it } from 'vitest';
import { ChannelApiError } from './channel-api.error.js';

describe('ChannelApiError', () => {
  it('names the operation in its message and keeps the kind and the requested wait', () => {
    class ExampleError extends ChannelApiError<'throttled'> {
      override readonly name = 'ExampleError';
    }
    const error = new ExampleError({
      kind: 'throttled',
      operation: 'patchListingsItem',
      message: 'HTTP 429',
      retryable: true,
      retryAfterMs: 2_000,
    });
    expect(error).toBeInstanceOf(ChannelApiError);
    expect(error).toMatchObject({
      name: 'ExampleError',
      kind: 'throttled',
      operation: 'patchListingsItem',
      retryable: true,
      retryAfterMs: 2_000,
    });
    expect(error.message).toBe('patchListingsItem: HTTP 429');
  });
});
