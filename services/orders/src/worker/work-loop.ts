import { WakeSignal } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';

/** A place held in the loop for a pass whose work is known before it starts (orders just inserted already claimed). */
export interface ReservedPass {
  /** Starts `pass` in the place. */
  run(pass: () => Promise<boolean>): void;
  /** Gives the place back unused. */
  cancel(): void;
}

export interface WorkLoopOptions {
  name: string;
  /** Passes that may run at once. */
  concurrency: number;
  /** Backstop: a pass runs this long after the last one found nothing, even if nobody woke the loop. */
  pollIntervalMs: number;
  /** Wait after a pass failed (database unavailable). */
  retryDelayMs: number;
  logger: Logger;
}

/**
 * Runs `pass` whenever there may be work: at once when woken (up to `concurrency` passes at a
 * time; a wake-up while all run queues one more), again right away while passes report more
 * work, and otherwise every `pollIntervalMs`. `pass` returns true when it may have left work.
 */
export class WorkLoop {
  private running = false;
  private readonly active = new Set<Promise<'again' | 'poll' | 'retry'>>();
  private readonly signal = new WakeSignal(() => this.startPass());
  /** Taken as the latest pass started: a wake since, while all passes ran, asks for one more. */
  private lastStart = 0;

  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly options: WorkLoopOptions,
  ) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Call after committing work the loop should pick up (a new order, a released hold). */
  wake(): void {
    this.signal.wake();
  }

  /** Runs a pass within `delayMs` (or sooner if already due): for work that comes due later. */
  wakeIn(delayMs: number): void {
    if (this.running) this.signal.wakeWithin(delayMs);
  }

  /**
   * Holds a place for a pass to be started later with `run` (or given back with `cancel`);
   * undefined when every place is taken. Until then the place counts as a running pass.
   */
  reserve(): ReservedPass | undefined {
    if (!this.running || this.active.size >= this.options.concurrency) return undefined;
    let begin!: (pass: (() => Promise<boolean>) | undefined) => void;
    const started = new Promise<(() => Promise<boolean>) | undefined>((resolve) => (begin = resolve));
    this.track(started.then((pass) => (pass ? this.runPass(pass) : 'poll')));
    return { run: (pass) => begin(pass), cancel: () => begin(undefined) };
  }

  /** Stops starting passes and waits for those running (they see `isRunning` false and stop early). */
  async stop(): Promise<void> {
    this.running = false;
    this.signal.stop();
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  get isRunning(): boolean {
    return this.running;
  }

  private startPass(): void {
    if (!this.running || this.active.size >= this.options.concurrency) return;
    this.lastStart = this.signal.checkpoint();
    this.track(this.runPass(this.pass));
  }

  /** Counts the pass as running until it ends, then runs the next one as it asks. */
  private track(run: Promise<'again' | 'poll' | 'retry'>): void {
    this.active.add(run);
    void run.then((next) => {
      this.active.delete(run);
      if (next === 'again' || this.signal.wokenSince(this.lastStart)) this.wake();
      else this.wakeIn(next === 'retry' ? this.options.retryDelayMs : this.options.pollIntervalMs);
    });
  }

  private async runPass(pass: () => Promise<boolean>): Promise<'again' | 'poll' | 'retry'> {
    try {
      return (await pass()) ? 'again' : 'poll';
    } catch (error) {
      this.options.logger.warn({ err: error, loop: this.options.name }, 'worker pass failed; retrying');
      return 'retry';
    }
  }
}
