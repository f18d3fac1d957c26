// /readyz: the service takes traffic only when everything it needs answers (the database, the
// broker). Each check is named so a 503 says which one failed.

/** Resolves when the dependency is usable; throws (or resolves false) when it is not. */
export type ReadinessCheck = () => Promise<boolean | void> | boolean | void;

export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

const DEFAULT_CHECK_TIMEOUT_MS = 2000;

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  constructor(private readonly checkTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS) {}

  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  /** From now on the service reports not ready, so load balancers stop sending work before it stops. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async evaluate(): Promise<ReadinessReport> {
    // While draining, dependencies may be busy finishing work (or closed): answer at once.
    if (this.shuttingDown) return { ready: false, checks: [{ name: 'shutdown', ok: false, error: 'the service is shutting down' }] };
    const checks = await Promise.all([...this.checks].map(([name, check]) => this.run(name, check)));
    return { ready: checks.every((check) => check.ok), checks };
  }

  private async run(name: string, check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.checkTimeoutMs} ms`)), this.checkTimeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
      return outcome === false ? { name, ok: false, error: 'not ready' } : { name, ok: true };
    } catch (error) {
      return { name, ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
