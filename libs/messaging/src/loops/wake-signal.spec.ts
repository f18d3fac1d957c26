import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WakeSignal } from './wake-signal.js';

/** Whether `promise` has settled once pending callbacks and microtasks ran (no time passes). */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('WakeSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a sleep after its time', async () => {
    const signal = new WakeSignal();
    const sleep = signal.sleep(1_000, { wakeable: true });
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(sleep)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleep)).toBe(true);
  });

  it('ends a wakeable sleep at once on wake, but not a back-off', async () => {
    const signal = new WakeSignal();
    const idle = signal.sleep(60_000, { wakeable: true });
    signal.wake();
    expect(await settled(idle)).toBe(true);

    const backOff = signal.sleep(5_000, { wakeable: false });
    signal.wake();
    expect(await settled(backOff)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled(backOff)).toBe(true);
  });

  it('ends one wakeable sleep per wake, the one that started first', async () => {
    const signal = new WakeSignal();
    const backOff = signal.sleep(60_000, { wakeable: false });
    const first = signal.sleep(60_000, { wakeable: true });
    const second = signal.sleep(60_000, { wakeable: true });
    signal.wake();
    expect([await settled(backOff), await settled(first), await settled(second)]).toEqual([false, true, false]);
    signal.wake();
    expect(await settled(second)).toBe(true);
    expect(await settled(backOff)).toBe(false);
  });

  it('keeps a wake that came while the loop was busy: the sleep after the pass does not start', async () => {
    const signal = new WakeSignal();
    const before = signal.checkpoint();
    signal.wake();
    expect(signal.wokenSince(before)).toBe(true);
    expect(await settled(signal.sleep(60_000, { wakeable: true, since: before }))).toBe(true);
    // A back-off is still waited out.
    expect(await settled(signal.sleep(60_000, { wakeable: false, since: before }))).toBe(false);

    const after = signal.checkpoint();
    expect(signal.wokenSince(after)).toBe(false);
    expect(await settled(signal.sleep(60_000, { wakeable: true, since: after }))).toBe(false);
  });

  it('calls onWake on every wake, and wakes within a delay, keeping the earliest', async () => {
    const onWake = vi.fn();
    const signal = new WakeSignal(onWake);
    signal.wake();
    expect(onWake).toHaveBeenCalledTimes(1);

    signal.wakeWithin(1_000);
    signal.wakeWithin(5_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(onWake).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(onWake).toHaveBeenCalledTimes(2);
    // The later request was not kept once the earlier one fired.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onWake).toHaveBeenCalledTimes(2);
  });

  it('counts a timed wake like any other and ends a sleep with it', async () => {
    const signal = new WakeSignal();
    const before = signal.checkpoint();
    const sleep = signal.sleep(60_000, { wakeable: true });
    signal.wakeWithin(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(sleep)).toBe(true);
    expect(signal.wokenSince(before)).toBe(true);
  });

  it('ends every sleep on stop, and ignores wakes and sleeps after it', async () => {
    const onWake = vi.fn();
    const signal = new WakeSignal(onWake);
    const idle = signal.sleep(60_000, { wakeable: true });
    const backOff = signal.sleep(60_000, { wakeable: false });
    signal.wakeWithin(1_000);
    signal.stop();
    expect(signal.isStopped).toBe(true);
    expect(await settled(idle)).toBe(true);
    expect(await settled(backOff)).toBe(true);

    const checkpoint = signal.checkpoint();
    signal.wake();
    signal.wakeWithin(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onWake).not.toHaveBeenCalled();
    expect(signal.wokenSince(checkpoint)).toBe(false);
    expect(await settled(signal.sleep(60_000, { wakeable: false }))).toBe(true);
  });
});
