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

/** How many output lines of each process are kept to explain a failed start-up. */
const RECENT_LINES_KEPT = 40;

/** Kept equal to the Dockerfile's NODE_OPTIONS. */
export const SERVICE_HEAP_FLAG = '--max-semi-space-size=32';

/**
 * Node options for every service process: the services' heap setting (the images' NODE_OPTIONS,
 * docs/adr/0010), then MESH_NODE_ARGS (space-separated; a later flag wins), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a benchmark: NODE_OPTIONS refuses --cpu-prof.
 */
function nodeArgs(): string[] {
  return [SERVICE_HEAP_FLAG, ...(process.env.MESH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '')];
}

export class ProcessSupervisor {
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly running = new Map<string, ChildProcess>();
  private readonly recentLines = new Map<string, string[]>();
  private readonly lastExit = new Map<string, string>();
  /**
   * Kills what still runs when this process exits, however it exits (an uncaught error
   * included): orphaned services would keep the ports and the next run would talk to them.
   */
  private readonly killChildrenOnExit = () => {
    for (const child of this.running.values()) child.kill('SIGKILL');
  };

  constructor(private readonly options: SupervisorOptions = {}) {}

  start(spec: ProcessSpec): ChildProcess {
    if (this.running.has(spec.name)) throw new Error(`${spec.name} is already running`);
    // Once per supervisor, however its processes came and went since.
    if (!process.listeners('exit').includes(this.killChildrenOnExit)) process.on('exit', this.killChildrenOnExit);
    this.specs.set(spec.name, spec);
    const child = spawn(process.execPath, [...nodeArgs(), '--enable-source-maps', spec.script], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const recent: string[] = [];
    this.recentLines.set(spec.name, recent);
    this.lastExit.delete(spec.name);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        recent.push(line);
        if (recent.length > RECENT_LINES_KEPT) recent.shift();
        this.options.onLine?.(spec.name, line);
      });
    }
    // 'close' comes after the output streams ended, so the recent lines are complete by then.
    child.once('close', (code, signal) => {
      if (this.running.get(spec.name) !== child) return;
      this.running.delete(spec.name);
      this.lastExit.set(spec.name, signal ? `killed by ${signal}` : `exit code ${code}`);
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

  /** How the last run of a process ended, if it has ended. */
  exitStatus(name: string): string | undefined {
    return this.lastExit.get(name);
  }

  /** The last output lines of the process's latest run, oldest first. */
  recentOutput(name: string): readonly string[] {
    return this.recentLines.get(name) ?? [];
  }

  /** Graceful stop of everything, last started first. */
  async stopAll(): Promise<void> {
    for (const name of [...this.running.keys()].reverse()) await this.kill(name, 'SIGTERM');
    process.off('exit', this.killChildrenOnExit);
  }
}
