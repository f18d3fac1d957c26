import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first value the probe yields', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('ready after 3');
  });

  it('names what it waited for when it times out, with the last error', async () => {
    const failing = waitFor(
      () => {
        throw new Error('not yet');
      },
      { timeoutMs: 20, intervalMs: 5, description: 'the sandbox' },
    );
    await expect(failing).rejects.toThrow(/waiting for the sandbox \(last error: not yet\)/);
  });
});
