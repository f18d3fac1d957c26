// Alerts as code (issue 4, STYLE.md's monitoring-mixin habits), run as tests so CI counts them:
// - the plain rule files the umbrella chart wraps into PrometheusRules pass `promtool check rules`,
//   and their unit tests (files/rules/tests/*.test.yaml) pass `promtool test rules`;
// - every alert variant has a test where it fires and, when it has a `for:`, one evaluation
//   earlier where it does not yet;
// - every alert has severity, summary, description and a runbook_url to its page in docs/runbooks;
// - the rules and the Grafana dashboard only query metrics the services export (or the planned
//   ones listed below) and recording rules that exist.
// promtool comes from Debian's prometheus package: scripts/install-tools.sh installs it when missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceMetricName, ServiceMetrics, type MetricKind } from '@retail-mesh/observability';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const rulesDir = path.join(root, 'charts/retail-mesh/files/rules');
const testsDir = path.join(rulesDir, 'tests');
const dashboardsDir = path.join(root, 'charts/retail-mesh/files/dashboards');
const runbooksDir = path.join(root, 'docs/runbooks');
/** Where runbook_url links point by default (the chart can move them: prometheusRule.runbookBaseUrl). */
const RUNBOOK_BASE_URL = 'https://github.com/retail-mesh/retail-mesh/blob/main/docs/runbooks/';

/**
 * Metrics the design implies and no service exports yet; the rules using them stay silent until
 * one does. Order intake latency (ARCHITECTURE §7: channel order -> ERP sales order) belongs to
 * the orders flow: a histogram with a 300 s bucket, labelled by channel and channel_account_id.
 */

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}

interface TestFile {
  rule_files: string[];
  evaluation_interval?: string;
  tests: { name?: string; interval?: string; alert_rule_test?: AlertRuleTest[] }[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => path.join(dir, file));
}

function readYaml<T>(file: string): T {
  return parse(readFileSync(file, 'utf8')) as T;
}

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Prometheus durations as promtool reads them: 90s, 5m, 1h30m, 3d. */
function milliseconds(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (parts.map((part) => part[0]).join('') !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit], 0);
}

const ruleFiles = yamlFiles(rulesDir);
const testFiles = yamlFiles(testsDir);
const rules = ruleFiles.flatMap((file) => readYaml<RuleFile>(file).groups.flatMap((group) => group.rules));
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));

/** Names a series of each exported metric can have (a histogram is queried by its _bucket, _sum, _count). */
function seriesNames(name: string, kind: MetricKind): string[] {
  return kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/**
 * Every metric the services export: the shared ones (gRPC, consumers, outbox) from a
 * ServiceMetrics as libs/observability builds it, and each service's own (`metrics.counter(...)`,
 * `.gauge(...)`, `.histogram(...)` in services/<service>/src) named as serviceMetricName names them.
 */
async function exportedSeries(): Promise<Set<string>> {
  const names = new Set<string>();
  const metrics = new ServiceMetrics({ service: 'probe', processMetrics: false });
  try {
    metrics.trackOutbox(async () => ({ pending: 0, oldestAgeSeconds: 0 }));
    metrics.trackDeadLetterQueues(
      () => [],
      async () => 0,
    );
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      for (const name of seriesNames(metric.name, String(metric.type) as MetricKind)) names.add(name);
    }
  } finally {
    metrics.close();
  }
  // A channel adapter's metrics class extends channel-kit's ChannelAdapterMetrics: those
  // definitions are the adapter's too, named with its service prefix.
  const channelKitDefinitions = metricDefinitions(path.join(root, 'libs', 'channel-kit', 'src'));
  const servicesDir = path.join(root, 'services');
  for (const service of readdirSync(servicesDir)) {
    const srcDir = path.join(servicesDir, service, 'src');
    if (!existsSync(srcDir)) continue;
    const definitions = metricDefinitions(srcDir);
    if (sourcesOf(srcDir).some((source) => source.includes('ChannelAdapterMetrics'))) definitions.push(...channelKitDefinitions);
    for (const { kind, name } of definitions) {
      for (const series of seriesNames(serviceMetricName(service, name, kind), kind)) names.add(series);
    }
  }
  return names;
}

/** The non-test TypeScript sources under `dir`. */
function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file))
    .map((file) => readFileSync(path.join(dir, file), 'utf8'));
}

/** Metrics defined through ServiceMetrics (`metrics.counter('name', ...)` and the like) under `dir`. */
function metricDefinitions(dir: string): Array<{ kind: MetricKind; name: string }> {
  return sourcesOf(dir).flatMap((source) =>
    [...source.matchAll(/\.(counter|gauge|histogram)(?:<[^>(]*>)?\(\s*'([a-z0-9_]+)'/g)].map(([, kind, name]) => ({
      kind: kind as MetricKind,
      name,
    })),
  );
}

/** Metric names, `__name__` regexes and recording rules a PromQL expression reads. */
function queried(expr: string): { metrics: string[]; nameRegexes: string[]; recordings: string[] } {
  const nameRegexes = [...expr.matchAll(/__name__=~"([^"]+)"/g)].map((match) => match[1].replaceAll('\\\\', '\\'));
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const recordings = [...withoutStrings.matchAll(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g)].map((match) => match[0]);
  const withoutRecordings = withoutStrings.replace(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g, '');
  const metrics = [...withoutRecordings.matchAll(/\b(?:retail_mesh|grpc_server)_[a-z0-9_]+\b/g)].map((match) => match[0]);
  return { metrics, nameRegexes, recordings };
}

describe('alert rules', () => {
  beforeAll(() => {
    if (spawnSync('promtool', ['--version']).error) {
      const install = spawnSync('bash', [path.join(root, 'scripts/install-tools.sh'), 'promtool'], { cwd: root, encoding: 'utf8' });
      expect(install.status, `${install.stdout}${install.stderr}`).toBe(0);
    }
  }, 300_000);

  it('pass promtool check rules', { timeout: 60_000 }, () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const result = promtool(['check', 'rules', ...ruleFiles]);
    expect(result.status, result.output).toBe(0);
  });

  it('pass their promtool unit tests', { timeout: 120_000 }, () => {
    const result = promtool(['test', 'rules', ...testFiles]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).not.toMatch(/FAILED/);
  });

  it('have a test file per rule file', () => {
    const tested = testFiles.flatMap((file) =>
      readYaml<TestFile>(file).rule_files.map((ruleFile) => path.resolve(path.dirname(file), ruleFile)),
    );
    for (const file of tested) expect(existsSync(file), `${file} (in a test's rule_files)`).toBe(true);
    expect([...new Set(tested)].sort()).toEqual(ruleFiles);
  });

  it('name, label and annotate every alert, with a runbook in docs/runbooks', () => {
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(alert.alert).toMatch(/^RetailMesh[A-Z][A-Za-z]+$/);
      // Watchdog's `none` is the dead man's switch convention: routed to a heartbeat, never to a person.
      const severities = alert.alert === 'RetailMeshWatchdog' ? ['none'] : ['critical', 'warning', 'info'];
      expect(severities, `${alert.alert} severity`).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, `${alert.alert} summary`).toBeTruthy();
      expect(alert.annotations?.description, `${alert.alert} description`).toBeTruthy();
      expect(alert.annotations?.runbook_url, `${alert.alert} runbook_url`).toBe(`${RUNBOOK_BASE_URL}${alert.alert}.md`);
      const runbook = path.join(runbooksDir, `${alert.alert}.md`);
      expect(existsSync(runbook), `${path.relative(root, runbook)} exists`).toBe(true);
      const headings = [...readFileSync(runbook, 'utf8').matchAll(/^## (.+)$/gm)].map((match) => match[1]);
      expect(headings, `${alert.alert} runbook sections`).toEqual(['Meaning', 'Impact', 'Diagnosis', 'Mitigation']);
    }
    const runbooks = readdirSync(runbooksDir).filter((file) => file.startsWith('RetailMesh'));
    expect(runbooks.sort(), 'no runbook without its alert').toEqual([...new Set(alerts.map((alert) => `${alert.alert}.md`))].sort());
  });

  it('test every alert firing and, one evaluation before its for: elapses, not yet firing', () => {
    const cases = testFiles.flatMap((file) => {
      const testFile = readYaml<TestFile>(file);
      const interval = milliseconds(testFile.evaluation_interval ?? '1m');
      return testFile.tests.map((test) => ({
        where: `${path.basename(file)}: ${test.name ?? ''}`,
        interval,
        checks: test.alert_rule_test ?? [],
      }));
    });
    for (const alert of alerts) {
      // A variant: the alert name with its own labels (burn-rate alerts have several windows).
      const variant = { alertname: alert.alert, ...alert.labels };
      const firesAt = (check: AlertRuleTest) =>
        check.alertname === alert.alert &&
        (check.exp_alerts ?? []).some((expected) =>
          Object.entries(alert.labels ?? {}).every(([key, value]) => expected.exp_labels?.[key] === value),
        );
      const covered = cases.some(({ interval, checks }) =>
        checks.some((firing) => {
          if (!firesAt(firing)) return false;
          if (!alert.for) return true;
          const before = milliseconds(firing.eval_time) - interval;
          return checks.some((check) => check.alertname === alert.alert && milliseconds(check.eval_time) === before && !firesAt(check));
        }),
      );
      expect(covered, `a promtool test case for ${JSON.stringify(variant)}`).toBe(true);
    }
  });

  it('query only exported metrics and existing recording rules (rules and dashboards)', async () => {
    const exported = await exportedSeries();
    expect(exported.has('grpc_server_handled_total')).toBe(true);
    expect(exported.has('retail_mesh_consumer_dead_letter_messages')).toBe(true);
    expect(exported.has('retail_mesh_erp_connector_order_intake_latency_seconds_bucket')).toBe(true);

    const dashboardExprs = readdirSync(dashboardsDir)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as {
          panels: { title: string; targets?: { expr: string }[] }[];
        };
        return dashboard.panels.flatMap((panel) =>
          (panel.targets ?? []).map((target) => ({ where: `${file} "${panel.title}"`, expr: target.expr })),
        );
      });
    expect(dashboardExprs.length).toBeGreaterThan(0);
    const expressions = [...rules.map((rule) => ({ where: rule.alert ?? rule.record ?? '', expr: rule.expr })), ...dashboardExprs];
    for (const { where, expr } of expressions) {
      const { metrics, nameRegexes, recordings } = queried(expr);
      for (const metric of metrics) expect(exported.has(metric), `${where}: ${metric} is not exported by any service`).toBe(true);
      for (const pattern of nameRegexes) {
        const regex = new RegExp(`^(?:${pattern})$`);
        expect(
          [...exported].some((name) => regex.test(name)),
          `${where}: __name__=~"${pattern}" matches no exported metric`,
        ).toBe(true);
      }
      for (const recording of recordings) expect(recorded.has(recording), `${where}: no recording rule ${recording}`).toBe(true);
    }
  });
});
