// Issue 4: a real Prometheus scrapes the distributed mesh with the chart's rule files, as
// shipped. A poison message must surface as the chart's DLQ alert with the labels the runbook
// and the routing rely on.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES } from '@retail-mesh/mesh';
import { DEFAULT_EXCHANGE } from '@retail-mesh/messaging';
import { waitFor } from '@retail-mesh/testing';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  expectedShopifyQuantity,
  setErpStock,
  startMeshUnderTest,
  waitForShopifyQuantity,
  type MeshUnderTest,
} from '../support/mesh-under-test.js';
import {
  CHART_RULES_DIR,
  ensurePrometheusInstalled,
  prometheusConfig,
  startPrometheus,
  type Alert,
  type RunningPrometheus,
} from './prometheus-server.js';

/** Clear of the other suites' meshes (400) and the benchmark's (500), so they can run beside it. */
const PORT_OFFSET = 600;
const DLQ_ALERT = 'RetailMeshDeadLetterQueueNotEmpty';
const RUNBOOK_BASE_URL = 'https://github.com/retail-mesh/retail-mesh/blob/main/docs/runbooks/';
/** inventory consumes erp.stock_changed on this queue (services/inventory/src/stock). */
const STOCK_CHANGES_QUEUE = 'inventory.stock-changes';

function alertsNamed(alerts: Alert[], name: string): Alert[] {
  return alerts.filter((alert) => alert.labels.alertname === name);
}

describe('Prometheus with the chart rules, scraping the distributed mesh', () => {
  let mesh: MeshUnderTest | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    ensurePrometheusInstalled();
    mesh = await startMeshUnderTest('distributed', 2, { portOffset: PORT_OFFSET });
    prometheus = await startPrometheus(prometheusConfig({ layout: mesh.layout }));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await mesh?.stop();
  });

  function running(): { mesh: MeshUnderTest; prometheus: RunningPrometheus } {
    if (!mesh || !prometheus) throw new Error('the mesh or prometheus did not start');
    return { mesh, prometheus };
  }

  it('loads every rule group of the chart and evaluates every rule without error', async () => {
    const shipped = readdirSync(CHART_RULES_DIR)
      .filter((file) => file.endsWith('.yaml'))
      .flatMap(
        (file) =>
          (parse(readFileSync(path.join(CHART_RULES_DIR, file), 'utf8')) as { groups: { name: string; rules: unknown[] }[] }).groups,
      );
    const groups = await waitFor(
      async () => {
        const loaded = await running().prometheus.ruleGroups();
        return loaded.every((group) => group.rules.every((rule) => rule.health !== 'unknown')) ? loaded : undefined;
      },
      { description: 'every rule to be evaluated once' },
    );
    expect(groups.map((group) => [group.name, group.rules.length]).sort()).toEqual(
      shipped.map((group) => [group.name, group.rules.length]).sort(),
    );
    for (const rule of groups.flatMap((group) => group.rules)) expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).toBe('ok');
  });

  it('scrapes every service, labelled service=<name> as the ServiceMonitor labels it', async () => {
    const { prometheus } = running();
    const targets = await waitFor(
      async () => {
        const active = await prometheus.targets();
        return active.length === SERVICE_NAMES.length && active.every((target) => target.health === 'up') ? active : undefined;
      },
      { description: 'every service target to be up' },
    );
    expect(targets.map((target) => target.labels.service).sort()).toEqual([...SERVICE_NAMES].sort());
    // What the outbox alert groups by: one series per service, the target's `service` label.
    const outbox = await waitFor(
      async () => {
        const samples = await prometheus.query('max by (service) (retail_mesh_outbox_oldest_pending_age_seconds)');
        return samples.length === SERVICE_NAMES.length ? samples : undefined;
      },
      { description: 'the outbox age of every service' },
    );
    expect(outbox.map((sample) => sample.metric.service).sort()).toEqual([...SERVICE_NAMES].sort());
  });

  it('fires the watchdog', async () => {
    const { prometheus } = running();
    const [watchdog] = await waitFor(
      async () => {
        const firing = alertsNamed(await prometheus.alerts(), 'RetailMeshWatchdog').filter((alert) => alert.state === 'firing');
        return firing.length > 0 ? firing : undefined;
      },
      { description: 'RetailMeshWatchdog to fire' },
    );
    expect(watchdog.labels).toEqual({ alertname: 'RetailMeshWatchdog', severity: 'none' });
  });

  it("records the availability push SLO from channel-shopify's own latency histogram", async () => {
    const { mesh, prometheus } = running();
    // A push while Prometheus scrapes, so the latency histogram's rates are not zero.
    const demo = mesh.skus[0];
    await setErpStock(mesh, [{ sku: demo.sku, location: 'WH-EAST', onHand: 23 }]);
    await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity({ ...demo.onHand, 'WH-EAST': 23 }));
    // The ratio exists only if the rule's metric regex, its le="30" bucket and the `service` label
    // all match what the adapter exports; it is a number once the push counted in the rates.
    const [ratio] = await waitFor(
      async () => {
        const samples = await prometheus.query('service:retail_mesh_availability_push_errors:ratio_rate5m{service="channel-shopify"}');
        return samples.length > 0 && samples.every((sample) => Number.isFinite(sample.value)) ? samples : undefined;
      },
      { description: 'the availability push error ratio of channel-shopify' },
    );
    expect(ratio.metric).toEqual({ __name__: 'service:retail_mesh_availability_push_errors:ratio_rate5m', service: 'channel-shopify' });
    expect(ratio.value).toBeGreaterThanOrEqual(0);
    expect(ratio.value).toBeLessThanOrEqual(1);
  });

  it(`puts ${DLQ_ALERT} for ${STOCK_CHANGES_QUEUE} into pending when a poison message is dead-lettered`, async () => {
    const { mesh, prometheus } = running();
    const depthQuery = `retail_mesh_consumer_dead_letter_messages{service="inventory", queue="${STOCK_CHANGES_QUEUE}"}`;
    // The gauge is scraped (the queue exists and its DLQ is empty) before the poison arrives.
    await waitFor(async () => (await prometheus.query(depthQuery)).some((sample) => sample.value === 0), {
      description: `${STOCK_CHANGES_QUEUE} DLQ depth 0 in Prometheus`,
    });
    expect(alertsNamed(await prometheus.alerts(), DLQ_ALERT)).toEqual([]);

    // A foreign publisher's garbage on a routing key inventory consumes: not an EventEnvelope.
    const connection = await amqp.connect(mesh.rabbitmqUrl!);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(DEFAULT_EXCHANGE, 'erp.stock_changed', Buffer.from('not an EventEnvelope'), { persistent: true });
      await channel.waitForConfirms();
      await channel.close();
    } finally {
      await connection.close();
    }

    const [deadLetter] = await waitFor(
      async () => {
        const letters = await mesh.deadLetters(STOCK_CHANGES_QUEUE);
        return letters.length > 0 ? letters : undefined;
      },
      { description: `the poison message in ${STOCK_CHANGES_QUEUE}.dlq` },
    );
    expect(deadLetter.reason).toMatch(/not a retail\.common\.v1\.EventEnvelope/);
    await waitFor(async () => (await prometheus.query(depthQuery)).some((sample) => sample.value === 1), {
      description: `${STOCK_CHANGES_QUEUE} DLQ depth 1 in Prometheus`,
    });

    // The shipped rule matches the live metric: the alert goes pending with the rule's labels and
    // annotations. Firing after its `for: 1m` is Prometheus's own timing, which the rule's promtool
    // unit test (charts/retail-mesh/files/rules/tests/messaging.test.yaml) checks without a minute's wait.
    const expectedLabels = { alertname: DLQ_ALERT, severity: 'warning', service: 'inventory', queue: STOCK_CHANGES_QUEUE };
    const [pending] = await waitFor(
      async () => {
        const alerts = alertsNamed(await prometheus.alerts(), DLQ_ALERT);
        return alerts.length > 0 ? alerts : undefined;
      },
      { description: `${DLQ_ALERT} to be pending`, intervalMs: 200 },
    );
    expect(pending.state).toBe('pending');
    expect(pending.labels).toEqual(expectedLabels);
    expect(pending.annotations.summary).toBe(`${STOCK_CHANGES_QUEUE}.dlq holds 1 dead-lettered messages.`);
    expect(pending.annotations.runbook_url).toBe(`${RUNBOOK_BASE_URL}${DLQ_ALERT}.md`);
    // Otherwise the mesh is healthy: no other alert is even pending.
    const active = new Set((await prometheus.alerts()).map((alert) => alert.labels.alertname));
    expect([...active].sort()).toEqual([DLQ_ALERT, 'RetailMeshWatchdog']);
  });
});
