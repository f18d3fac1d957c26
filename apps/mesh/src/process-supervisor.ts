// Runs each service as its own Node process (distributed mode), as Kubernetes would.
// Used by `npm run distributed`, the distributed e2e tests and the benchmarks, which also
// need to kill a process mid-flow and start it again.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  name: string;
  /** Entry script (compiled JavaScript). */
  script: string;
  env: Record<string, string>;
}

export interface SupervisorOptions {
  /** Receives every output line of every process, prefixed by nothing (the line is JSON for services). */
  onLine?: (name: string, line: string) => void;
}

export class ProcessSupervisor {
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly running = new Map<string, ChildProcess>();

  constructor(private readonly options: SupervisorOptions = {}) {}

  start(spec: ProcessSpec): ChildProcess {
    if (this.running.has(spec.name)) throw new Error(`${spec.name} is already running`);
    this.specs.set(spec.name, spec);
    const child = spawn(process.execPath, ['--enable-source-maps', spec.script], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.options.onLine?.(spec.name, line));
    }
    child.once('exit', () => {
      if (this.running.get(spec.name) === child) this.running.delete(spec.name);
    });
    this.running.set(spec.name, child);
    return child;
  }

  /** Sends a signal and waits for the process to exit (SIGKILL for crash tests). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.running.get(name);
    if (!child) return;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
    child.kill(signal);
    await exited;
    this.running.delete(name);
  }

  /** Starts a stopped process again with the spec it last ran with. */
  restart(name: string): ChildProcess {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`unknown process ${name}`);
    return this.start(spec);
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Graceful stop of everything, last started first. */
  async stopAll(): Promise<void> {
    for (const name of [...this.running.keys()].reverse()) await this.kill(name, 'SIGTERM');
  }
}
