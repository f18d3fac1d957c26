// Metric names (STYLE.md rule 10): `retail_mesh_<service>_<noun>_<unit>` for a service's own
// metrics, `retail_mesh_<noun>_<unit>` with a `service` label for what every service has
// (consumers, outbox), and the standard grpc_server_* names for gRPC RED metrics.

export const METRIC_PREFIX = 'retail_mesh';

const NAME_PART = /^[a-z][a-z0-9_]*[a-z0-9]$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** `retail_mesh_<service>_<name>`; a dash in the service name becomes `_` (erp-connector -> erp_connector). */
export function serviceMetricName(service: string, name: string, kind: MetricKind): string {
  if (!SERVICE_NAME.test(service)) throw new Error(`invalid service name for a metric: "${service}"`);
  return `${METRIC_PREFIX}_${service.replaceAll('-', '_')}_${checkedName(name, kind)}`;
}

/** `retail_mesh_<name>`: a metric every service exposes, told apart by its `service` label. */
export function sharedMetricName(name: string, kind: MetricKind): string {
  return `${METRIC_PREFIX}_${checkedName(name, kind)}`;
}

// Prometheus conventions: snake case; counters, and only counters, end in `_total`.
function checkedName(name: string, kind: MetricKind): string {
  if (!NAME_PART.test(name) || name.includes('__')) throw new Error(`metric name "${name}" must be lower snake case`);
  if (name.startsWith(`${METRIC_PREFIX}_`)) throw new Error(`metric name "${name}" must not repeat the ${METRIC_PREFIX}_ prefix`);
  const total = name.endsWith('_total');
  if (kind === 'counter' && !total) throw new Error(`counter "${name}" must end in _total`);
  if (kind !== 'counter' && total) throw new Error(`${kind} "${name}" must not end in _total (only counters do)`);
  return name;
}
