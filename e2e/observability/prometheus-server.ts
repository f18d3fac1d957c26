// A real Prometheus (Debian's `prometheus`, installed by scripts/install-tools.sh) on loopback,
// scraping the services of a distributed mesh as the chart's ServiceMonitors do and evaluating
// the chart's own rule files, so the alerts are tested against the metrics the services export.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, SERVICE_NAMES, type MeshLayout } from '@retail-mesh/mesh';
import { freePort } from '@retail-mesh/service-kit';
import { waitFor } from '@retail-mesh/testing';
import { stringify } from 'yaml';

/** The rule files the umbrella chart wraps into PrometheusRules: its Files.Glob "files/rules/*.yaml". */
export const CHART_RULES_DIR = path.join(REPO_ROOT, 'charts/retail-mesh/files/rules');

export interface PrometheusConfigOptions {
  layout: MeshLayout;
  /** Scrape and rule evaluation interval (the chart scrapes every 30 s; a test wants seconds). */
  interval?: string;
  /** The Helm release and namespace the ServiceMonitors would run in (they name the job). */
  release?: string;
  namespace?: string;
}

export interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  rule_files: string[];
  scrape_configs: {
    job_name: string;
    metrics_path: string;
    static_configs: { targets: string[]; labels: Record<string, string> }[];
  }[];
}

/**
 * One scrape job per service, with the target labels the ServiceMonitor gives it
 * (charts/retail-mesh-lib/templates/_monitoring.tpl): `service` = the service name, which the
 * rules group by, and, from Prometheus Operator, `job` = the Kubernetes Service name and
 * `namespace`. No honor_labels, like the ServiceMonitor: the `service` label the services put
 * on their own metrics is kept as `exported_service` and the target's (same value) wins.
 */
export function prometheusConfig(options: PrometheusConfigOptions): PrometheusConfig {
  const interval = options.interval ?? '1s';
  const release = options.release ?? 'retail-mesh';
  const namespace = options.namespace ?? 'retail-mesh';
  return {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [path.join(CHART_RULES_DIR, '*.yaml')],
    scrape_configs: SERVICE_NAMES.map((service) => ({
      job_name: `${release}-${service}`,
      metrics_path: '/metrics',
      static_configs: [
        {
          targets: [`127.0.0.1:${options.layout.services[service].httpPort}`],
          labels: { service, namespace },
        },
      ],
    })),
  };
}

export interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export interface Rule {
  name: string;
  type: 'alerting' | 'recording';
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: Rule[];
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  targets(): Promise<Target[]>;
  alerts(): Promise<Alert[]>;
  ruleGroups(): Promise<RuleGroup[]>;
  /** An instant query; every sample's value as a number. */
  query(expr: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

/** Installs Debian's prometheus through scripts/install-tools.sh when the binary is missing. */
export function ensurePrometheusInstalled(): void {
  if (!spawnSync('prometheus', ['--version']).error) return;
  const install = spawnSync('bash', [path.join(REPO_ROOT, 'scripts/install-tools.sh'), 'promtool'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`cannot install prometheus: ${install.stdout}${install.stderr}`);
}

/** Starts prometheus with `config` on a free loopback port and waits until it is ready. */
export async function startPrometheus(config: PrometheusConfig): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retail-mesh-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const port = await freePort('127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Its log, to say why it stopped; it logs on stderr.
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    log = `${log}${chunk}`.slice(-8_000);
    if (process.env.E2E_VERBOSE) process.stdout.write(`[prometheus] ${chunk}`);
  });
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = `exited with ${code ?? signal}`;
      resolve();
    });
    child.once('error', (error) => {
      ended = error.message;
      resolve();
    });
  });

  const stop = async () => {
    if (!ended) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  async function api<T>(route: string): Promise<T> {
    const response = await fetch(`${url}/api/v1/${route}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${route}: ${body.error ?? response.status}`);
    return body.data;
  }

  try {
    await waitFor(
      async () => {
        if (ended) throw new Error(`prometheus ${ended}:\n${log}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `prometheus to be ready on ${url}` },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    targets: async () => (await api<{ activeTargets: Target[] }>('targets?state=active')).activeTargets,
    alerts: async () => (await api<{ alerts: Alert[] }>('alerts')).alerts,
    ruleGroups: async () => (await api<{ groups: RuleGroup[] }>('rules')).groups,
    query: async (expr) => {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    stop,
  };
}
