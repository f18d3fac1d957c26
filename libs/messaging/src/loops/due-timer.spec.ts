import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DueTimer } from './due-timer.js';

describe('DueTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls back at the earliest time asked for, once', async () => {
    const callback = vi.fn();
    const timer = new DueTimer(callback);
    timer.within(5_000);
    timer.within(1_000);
    timer.within(3_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(callback).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('can be armed again once it fired, and cancelled', async () => {
    const callback = vi.fn();
    const timer = new DueTimer(callback);
    timer.within(10);
    await vi.advanceTimersByTimeAsync(10);
    timer.within(10);
    await vi.advanceTimersByTimeAsync(10);
    expect(callback).toHaveBeenCalledTimes(2);
    timer.within(10);
    timer.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(callback).toHaveBeenCalledTimes(2);
  });
});
