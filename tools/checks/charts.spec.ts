// Delivery checks (issue 4, ARCHITECTURE §8), run as tests so CI counts them, all offline:
// - the Dockerfile builds any service from a build argument, in stages, as a non-root user;
// - `helm lint --strict` passes for every chart under charts/;
// - the umbrella chart renders under every values file of the CI matrix (charts/retail-mesh/ci)
//   and of the skaffold profiles, and every rendered object is valid: Kubernetes kinds against
//   their schemas (kubernetes-models), the CRDs (ScaledObject, ServiceMonitor, PrometheusRule)
//   structurally and against the objects they point at;
// - pods are hardened, probed over grpc.health.v1, and get an environment their service's own
//   config reader accepts; NetworkPolicies allow exactly the gRPC calls the services make;
// - every service under services/ has its chart, its place in the umbrella and a skaffold artifact;
// - values.schema.json refuses what it must (HPA with KEDA, KEDA without queues, unknown keys).
// helm is .tools/helm: scripts/install-tools.sh installs it when it is missing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICE_HEAP_FLAG } from '@retail-mesh/mesh';
import { serviceConfigFor, type ServiceDefinition } from '@retail-mesh/service-kit';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy, type INetworkPolicyPeer, type INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Pod, Service, ServiceAccount, type IContainer, type IEnvVar, type IPodSpec } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const chartsDir = path.join(root, 'charts');
const umbrellaDir = path.join(chartsDir, 'retail-mesh');
const libDir = path.join(chartsDir, 'retail-mesh-lib');
const helmBinary = path.join(root, '.tools/helm');
const RELEASE = 'retail-mesh';
const NAMESPACE = 'retail-mesh';

/** Every values file the umbrella must render with: the CI matrix and the skaffold profiles'. */
const VALUES_FILES = [
  ...readdirSync(path.join(umbrellaDir, 'ci'))
    .filter((file) => file.endsWith('-values.yaml'))
    .map((file) => `ci/${file}`),
  'values-dev.yaml',
  'values-prod.yaml',
];

/** What an operator puts in the Secrets the chart refers to (secret name/key -> value). */
const SECRET_VALUES: Record<string, string> = {
  'retail-mesh-rabbitmq/url': 'amqp://retail-mesh:secret@rabbitmq.rabbitmq:5672/retail',
  'retail-mesh-postgresql/url': 'postgres://retail-mesh:secret@postgresql.postgresql:5432/retail',
  'retail-mesh-erp-credentials/client-id': 'retail-mesh',
  'retail-mesh-erp-credentials/client-secret': 'erp-client-secret',
  'retail-mesh-shopify-accounts/accounts.json': JSON.stringify([
    { channelAccountId: 'shop-eu', adminApiUrl: 'https://shop-eu.myshopify.com', accessToken: 'shpat_example', apiVersion: '2026-01' },
  ]),
  'retail-mesh-amazon-accounts/accounts.json': JSON.stringify([
    {
      channelAccountId: 'amazon-us',
      sellerId: 'A2EXAMPLESELLER',
      marketplaceIds: ['ATVPDKIKX0DER'],
      spApiEndpoint: 'https://sellingpartnerapi-na.amazon.com',
      clientId: 'amzn1.application-oa2-client.example',
      clientSecret: 'lwa-client-secret',
      refreshToken: 'Atzr|example-refresh-token',
    },
  ]),
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}

interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: { name: string; envSourceContainerName?: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: { type: string; metadata: Record<string, unknown> }[];
  };
}

interface ServiceMonitor extends Manifest {
  spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; relabelings?: unknown[] }[] };
}

interface RuleGroup {
  name: string;
  rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

interface PrometheusRule extends Manifest {
  spec: { groups: RuleGroup[] };
}

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** helm without its INFO lines about the charts' symlinks (the library and the shared schema). */
function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = run(helmBinary, args);
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !line.includes('level=INFO'))
    .join('\n')
    .trim();
  return { ...result, stderr };
}

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function readYaml<T>(file: string): T {
  return parse(readFileSync(file, 'utf8')) as T;
}

function typeOf(manifest: Manifest): string {
  return `${manifest.apiVersion}/${manifest.kind}`;
}

function byType<T extends Manifest>(manifests: Manifest[], type: string): T[] {
  return manifests.filter((manifest) => typeOf(manifest) === type) as T[];
}

/** The service directories under services/. */
function serviceNames(): string[] {
  return readdirSync(path.join(root, 'services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, 'services', entry.name, 'src/index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** The ServiceDefinition a service package exports (its name and default ports, its settings). */
async function serviceDefinition(service: string): Promise<ServiceDefinition> {
  const exports = (await import(`@retail-mesh/service-${service}`)) as Record<string, unknown>;
  const definition = Object.values(exports).find(
    (value): value is ServiceDefinition =>
      typeof value === 'object' && value !== null && (value as Partial<ServiceDefinition>).name === service && 'ports' in value,
  );
  if (!definition) throw new Error(`@retail-mesh/service-${service} exports no ServiceDefinition named ${service}`);
  return definition;
}

/** The user the image runs as (Dockerfile: `USER <uid>:<gid>`). */
function imageUser(): { uid: number; gid: number } {
  const user = dockerInstructions()
    .filter((instruction) => instruction.keyword === 'USER')
    .at(-1);
  const match = /^(\d+):(\d+)$/.exec(user?.args ?? '');
  if (!match) throw new Error(`the Dockerfile's last USER is not numeric uid:gid: ${user?.args}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

interface DockerInstruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions: continuation lines joined, comments and parser directives dropped. */
function dockerInstructions(): DockerInstruction[] {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  return lines
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions grouped by build stage; the global ARGs before the first FROM belong to none. */
function dockerStages(): { from: string; name: string; instructions: DockerInstruction[] }[] {
  const stages: { from: string; name: string; instructions: DockerInstruction[] }[] = [];
  for (const instruction of dockerInstructions()) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(instruction.args);
      stages.push({ from: match?.[1] ?? instruction.args, name: match?.[2] ?? '', instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

describe('Dockerfile', () => {
  it('builds any service in stages, from a Node 20 slim image (never latest), and runs it as a non-root user', () => {
    const instructions = dockerInstructions();
    const beforeFirstStage = instructions.slice(
      0,
      instructions.findIndex((instruction) => instruction.keyword === 'FROM'),
    );
    const globalArgs = new Map(
      beforeFirstStage
        .filter((instruction) => instruction.keyword === 'ARG')
        .map((instruction) => instruction.args.split('=') as [string, string]),
    );
    const stages = dockerStages();
    expect(stages.length, 'multi-stage').toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.name, `FROM ${stage.from} names its stage`).not.toBe('');
      const image = stage.from.replace(/^\$\{(\w+)\}$/, (_, arg: string) => globalArgs.get(arg) ?? '');
      expect(image, `stage ${stage.name}: a Node 20 slim image`).toMatch(/^node:20[\w.-]*-slim(@sha256:[a-f0-9]{64})?$/);
      expect(image).not.toMatch(/:latest\b/);
    }

    const [build, runtime] = [stages[0], stages.at(-1)!];
    const text = (stage: (typeof stages)[number], keyword: string) =>
      stage.instructions
        .filter((instruction) => instruction.keyword === keyword)
        .map((instruction) => instruction.args)
        .join('\n');
    for (const stage of [build, runtime]) {
      expect(text(stage, 'ARG').split('\n'), `stage ${stage.name} declares ARG SERVICE`).toContain('SERVICE');
    }
    expect(text(build, 'RUN')).toMatch(/npm ci\b/);
    expect(text(build, 'RUN')).toMatch(/node scripts\/build\.mjs .*services\/\$\{SERVICE\}/);
    expect(text(build, 'RUN'), 'production dependencies only').toMatch(/npm prune --omit=dev/);
    expect(text(build, 'RUN'), 'the .proto files the services load at start').toMatch(/\bproto\b/);

    expect(text(runtime, 'COPY'), 'the runtime takes only what the build stage assembled').toMatch(new RegExp(`^--from=${build.name} `));
    expect(text(runtime, 'WORKDIR')).toBe('/app/services/${SERVICE}');
    expect(JSON.parse(text(runtime, 'CMD')), 'exec form: node gets SIGTERM').toEqual(['node', '--enable-source-maps', 'dist/main.js']);
    // The heap setting of ADR 0010, the same as the distributed-mode launcher's.
    expect(text(runtime, 'ENV')).toContain(`NODE_OPTIONS="${SERVICE_HEAP_FLAG}"`);
    expect(text(runtime, 'USER'), 'the last USER is a numeric non-root uid').toMatch(/^[1-9]\d*:\d+$/);
  });

  it('keeps local installs, builds, data and the git history out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '**/.data', '.git', '.tools']) expect(ignored).toContain(pattern);
  });
});

describe('Helm charts', () => {
  // A copy, so `helm dependency build` leaves no packaged charts in the working tree.
  const scratch = mkdtempSync(path.join(tmpdir(), 'charts-check-'));
  const scratchUmbrella = path.join(scratch, 'retail-mesh');
  const rendered = new Map<string, Manifest[]>();

  beforeAll(() => {
    if (!existsSync(helmBinary)) {
      const install = run('bash', [path.join(root, 'scripts/install-tools.sh'), 'helm']);
      expect(install.status, install.stdout + install.stderr).toBe(0);
    }
    cpSync(chartsDir, scratch, { recursive: true, verbatimSymlinks: true });
    const build = helm(['dependency', 'build', scratchUmbrella]);
    expect(build.status, build.stderr).toBe(0);
    for (const file of VALUES_FILES) {
      const result = helm(['template', RELEASE, scratchUmbrella, '--namespace', NAMESPACE, '--values', path.join(umbrellaDir, file)]);
      expect(result.status, `${file}: ${result.stderr}`).toBe(0);
      rendered.set(file, parseManifests(result.stdout));
    }
  }, 180_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('pass helm lint --strict: every chart, and the umbrella with every values file', { timeout: 120_000 }, () => {
    const charts = readdirSync(scratch).filter((name) => existsSync(path.join(scratch, name, 'Chart.yaml')));
    expect(charts).toEqual(expect.arrayContaining(['retail-mesh-lib', 'retail-mesh', ...serviceNames()]));
    for (const chart of charts) {
      const result = helm(['lint', '--strict', path.join(scratch, chart)]);
      expect(result.status, `${chart}: ${result.stdout}${result.stderr}`).toBe(0);
    }
    for (const file of VALUES_FILES) {
      const result = helm(['lint', '--strict', scratchUmbrella, '--values', path.join(umbrellaDir, file)]);
      expect(result.status, `${file}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it.each(VALUES_FILES)('render under %s into objects that are all valid', { timeout: 30_000 }, (file) => {
    const manifests = rendered.get(file)!;
    expect(manifests.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const manifest of manifests) {
      const id = `${typeOf(manifest)} ${manifest.metadata?.name}`;
      expect(names.has(id), `${id} rendered twice`).toBe(false);
      names.add(id);
      const check = VALIDATORS[typeOf(manifest)];
      expect(check, `${id}: no validator for this kind (add one)`).toBeDefined();
      expect(() => check(manifest, manifests), id).not.toThrow();
      expect(manifest.metadata.labels?.['app.kubernetes.io/managed-by'], id).toBe('Helm');
      expect(manifest.metadata.labels?.['helm.sh/chart'], id).toMatch(/^[a-z-]+-\d+\.\d+\.\d+$/);
      expect(manifest.metadata.labels?.['app.kubernetes.io/instance'], id).toBe(RELEASE);
    }
  });

  it.each(VALUES_FILES)(
    'under %s, run hardened pods: non-root, read-only, no capabilities, resources, gRPC probes',
    { timeout: 30_000 },
    (file) => {
      const manifests = rendered.get(file)!;
      const user = imageUser();
      const podSpecs: { id: string; spec: IPodSpec }[] = [
        ...byType(manifests, 'apps/v1/Deployment').map((m) => ({
          id: `Deployment ${m.metadata.name}`,
          spec: new Deployment(m as never).spec!.template.spec!,
        })),
        ...byType(manifests, 'batch/v1/Job').map((m) => ({ id: `Job ${m.metadata.name}`, spec: new Job(m as never).spec!.template.spec! })),
        ...byType(manifests, 'v1/Pod').map((m) => ({ id: `Pod ${m.metadata.name}`, spec: new Pod(m as never).spec! })),
      ];
      expect(podSpecs.length).toBeGreaterThan(0);
      for (const { id, spec } of podSpecs) {
        expect(spec.securityContext, id).toMatchObject({
          runAsNonRoot: true,
          runAsUser: user.uid,
          runAsGroup: user.gid,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.automountServiceAccountToken, id).toBe(false);
        const tmpVolumes = (spec.volumes ?? []).filter((volume) => volume.emptyDir).map((volume) => volume.name);
        for (const container of spec.containers) {
          const where = `${id} container ${container.name}`;
          expect(container.securityContext, where).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
          });
          expect(container.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
          expect(container.securityContext?.capabilities?.add, where).toBeUndefined();
          expect(container.resources?.requests, where).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
          expect(container.resources?.limits, where).toMatchObject({ memory: expect.anything() });
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          expect(tmp && tmpVolumes.includes(tmp.name), `${where}: /tmp is an emptyDir`).toBe(true);
          expect(container.image, where).toMatch(/^[\w./-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/);
          expect(container.image, where).not.toMatch(/:latest$/);
        }
      }
      for (const manifest of byType(manifests, 'apps/v1/Deployment')) {
        const container = new Deployment(manifest as never).spec!.template.spec!.containers[0];
        const grpcPort = container.ports?.find((port) => port.name === 'grpc')?.containerPort;
        expect(grpcPort, manifest.metadata.name).toBeDefined();
        for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
          expect(probe?.grpc, `${manifest.metadata.name}: native gRPC probe on grpc.health.v1`).toEqual({ port: grpcPort });
        }
      }
    },
  );

  it.each(VALUES_FILES)('under %s, give every service an environment its config reader accepts', { timeout: 120_000 }, async (file) => {
    const manifests = rendered.get(file)!;
    const workloads = [
      ...byType(manifests, 'apps/v1/Deployment').map((m) => ({ manifest: m, spec: new Deployment(m as never).spec!.template.spec! })),
      ...byType(manifests, 'batch/v1/Job').map((m) => ({ manifest: m, spec: new Job(m as never).spec!.template.spec! })),
    ];
    for (const { manifest, spec } of workloads) {
      const service = manifest.metadata.labels!['app.kubernetes.io/name'];
      const definition = await serviceDefinition(service);
      const container = spec.containers[0];
      const environment = environmentOf(container.env ?? [], manifest.metadata.name);
      // Every setting the service reads, nothing misspelt: the service's config reader decides.
      const config = serviceConfigFor(definition, environment);
      const ports = Object.fromEntries((container.ports ?? []).map((port) => [port.name, port.containerPort]));
      const where = `${manifest.kind} ${manifest.metadata.name}`;
      expect(config.database.type, where).toBe('postgres');
      expect(config.rabbitmqUrl, where).toBe(SECRET_VALUES['retail-mesh-rabbitmq/url']);
      if (manifest.kind === 'Job') {
        expect(config.migrateOnly, where).toBe(true);
      } else {
        expect({ grpc: config.grpcPort, http: config.httpPort }, where).toEqual({ grpc: ports.grpc, http: ports.http });
        const migrationJob = byType(manifests, 'batch/v1/Job').some((job) => job.metadata.labels!['app.kubernetes.io/name'] === service);
        expect(config.migrateOnStart, `${where}: migrates at start only without the migration Job`).toBe(!migrationJob);
      }
      const known = new Set(Object.values(definition.settings ?? {}).map((setting) => setting.variable));
      const standard = new Set([
        'GRPC_PORT',
        'HTTP_PORT',
        'DATABASE_SCHEMA',
        'DATABASE_URL',
        'RABBITMQ_URL',
        'EVENTS_EXCHANGE',
        'LOG_LEVEL',
      ]);
      for (const variable of Object.keys(environment).filter((name) => !standard.has(name) && !/^MIGRATE_/.test(name))) {
        expect(known.has(variable), `${where} sets ${variable}, which ${service} does not read`).toBe(true);
      }
    }
  });

  it('under the network policies values, allow exactly the gRPC calls the services make', { timeout: 30_000 }, () => {
    const manifests = rendered.get('ci/network-policies-values.yaml')!;
    const policies = byType(manifests, 'networking.k8s.io/v1/NetworkPolicy').map((m) => new NetworkPolicy(m as never));
    const defaultDeny = policies.find((policy) => Object.keys(policy.spec?.podSelector ?? {}).length === 0);
    expect(defaultDeny?.spec?.policyTypes, 'a namespace-wide default deny').toEqual(['Ingress', 'Egress']);
    expect(defaultDeny?.spec?.ingress ?? [], 'the default deny allows nothing').toEqual([]);
    expect(defaultDeny?.spec?.egress ?? []).toEqual([]);

    const services = byType(manifests, 'v1/Service').map((m) => new Service(m as never));
    const deployments = byType(manifests, 'apps/v1/Deployment').map((m) => new Deployment(m as never));
    const nameOf = (labels: Record<string, string> | undefined) => labels?.['app.kubernetes.io/name'];
    const policyOf = (service: string) => policies.find((policy) => nameOf(policy.spec?.podSelector.matchLabels) === service);
    // Calls made: a variable holding <Service>:<grpc port> of another service of the release.
    const calls = new Set<string>();
    for (const deployment of deployments) {
      const caller = nameOf(deployment.metadata?.labels)!;
      expect(policyOf(caller), `${caller} has a NetworkPolicy`).toBeDefined();
      for (const variable of deployment.spec!.template.spec!.containers[0].env ?? []) {
        const [host, port] = (variable.value ?? '').split(':');
        const callee = services.find((service) => service.metadata?.name === host);
        if (!callee) continue;
        const grpcPort = callee.spec?.ports?.find((p) => p.name === 'grpc')?.port;
        expect(Number(port), `${caller} ${variable.name} names ${host}'s gRPC port`).toBe(grpcPort);
        calls.add(`${caller} -> ${nameOf(callee.spec?.selector)}:${grpcPort}`);
      }
    }
    expect(calls.size, 'channel-shopify calls the catalog at least').toBeGreaterThan(0);

    const egressAllowed = new Set<string>();
    const ingressAllowed = new Set<string>();
    for (const deployment of deployments) {
      const service = nameOf(deployment.metadata?.labels)!;
      const policy = policyOf(service)!;
      for (const rule of policy.spec?.egress ?? [])
        for (const call of peerCalls(service, rule.to, rule.ports, 'egress')) egressAllowed.add(call);
      for (const rule of policy.spec?.ingress ?? [])
        for (const call of peerCalls(service, rule.from, rule.ports, 'ingress')) ingressAllowed.add(call);
    }
    expect([...egressAllowed].sort(), 'egress to other services = the calls made').toEqual([...calls].sort());
    expect([...ingressAllowed].sort(), 'ingress from other services = the calls made').toEqual([...calls].sort());

    for (const deployment of deployments) {
      const service = nameOf(deployment.metadata?.labels)!;
      const policy = policyOf(service)!;
      const httpPort = deployment.spec!.template.spec!.containers[0].ports!.find((p) => p.name === 'http')!.containerPort;
      const scraped = (policy.spec?.ingress ?? []).some(
        (rule) => rule.from?.some((peer) => peer.namespaceSelector) && rule.ports?.some((p) => p.port === httpPort),
      );
      expect(scraped, `${service}: Prometheus may scrape ${httpPort}`).toBe(true);
      const egressPorts = (policy.spec?.egress ?? []).flatMap((rule) => (rule.ports ?? []).map((p) => p.port));
      expect(egressPorts, `${service}: DNS, RabbitMQ, PostgreSQL`).toEqual(expect.arrayContaining([53, 5672, 5432]));
    }
  });

  it('has every service of services/ in its own chart, the umbrella chart and skaffold.yaml', { timeout: 120_000 }, async () => {
    const umbrella = readYaml<{ dependencies: { name: string; repository: string; condition?: string }[] }>(
      path.join(umbrellaDir, 'Chart.yaml'),
    );
    const umbrellaValues = readYaml<Record<string, { enabled?: boolean }>>(path.join(umbrellaDir, 'values.yaml'));
    const umbrellaSchema = JSON.parse(readFileSync(path.join(umbrellaDir, 'values.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const skaffold = readYaml<Skaffold>(path.join(root, 'skaffold.yaml'));
    expect(skaffold.apiVersion).toMatch(/^skaffold\/v4beta\d+$/);
    const release = skaffold.deploy.helm.releases.find((r) => r.chartPath === 'charts/retail-mesh');
    expect(release, 'skaffold deploys the umbrella chart').toBeDefined();

    for (const service of serviceNames()) {
      const definition = await serviceDefinition(service);
      const chartDir = path.join(chartsDir, service);
      const chart = readYaml<{ name: string; dependencies: { name: string; repository: string }[] }>(path.join(chartDir, 'Chart.yaml'));
      const values = readYaml<{ image: { repository: string }; ports: { grpc: number; http: number }; databaseSchema: string }>(
        path.join(chartDir, 'values.yaml'),
      );
      expect(chart.name).toBe(service);
      expect(chart.dependencies).toEqual([expect.objectContaining({ name: 'retail-mesh-lib', repository: 'file://../retail-mesh-lib' })]);
      expect(values.image.repository).toBe(`retail-mesh-${service}`);
      expect(values.ports, `${service}: the ports of its ServiceDefinition (ARCHITECTURE §10)`).toEqual(definition.ports);
      expect(values.databaseSchema).toBe(service.replaceAll('-', '_'));
      // The shared schema and library, linked rather than copied.
      expect(lstatSync(path.join(chartDir, 'values.schema.json')).isSymbolicLink()).toBe(true);
      expect(realpathSync(path.join(chartDir, 'values.schema.json'))).toBe(realpathSync(path.join(libDir, 'service-values.schema.json')));
      expect(realpathSync(path.join(chartDir, 'charts/retail-mesh-lib'))).toBe(realpathSync(libDir));

      expect(umbrella.dependencies, `charts/retail-mesh/Chart.yaml depends on ${service}`).toContainEqual(
        expect.objectContaining({ name: service, repository: `file://../${service}`, condition: `${service}.enabled` }),
      );
      expect(umbrellaValues[service]?.enabled, `charts/retail-mesh/values.yaml has a ${service} block`).toBe(true);
      expect(umbrellaSchema.properties[service], `charts/retail-mesh/values.schema.json has ${service}`).toEqual({
        $ref: '#/definitions/service',
      });

      const image = `retail-mesh-${service}`;
      const artifact = skaffold.build.artifacts.find((a) => a.image === image);
      expect(artifact, `skaffold.yaml builds ${image}`).toBeDefined();
      expect(artifact!.docker.buildArgs).toEqual({ SERVICE: service });
      const variable = image.replaceAll('-', '_');
      expect(release!.setValueTemplates[`${service}.image.repository`]).toBe(`{{.IMAGE_REPO_${variable}}}`);
      expect(release!.setValueTemplates[`${service}.image.tag`]).toBe(`{{.IMAGE_TAG_${variable}}}@{{.IMAGE_DIGEST_${variable}}}`);
    }
    const defaults = rendered.get('ci/default-values.yaml')!;
    const deployed = byType(defaults, 'apps/v1/Deployment').map((m) => m.metadata.labels!['app.kubernetes.io/name']);
    expect(deployed.sort(), 'the umbrella installs every service by default').toEqual(serviceNames());
  });

  it('render a service chart on its own exactly as the umbrella renders it (same defaults)', { timeout: 60_000 }, () => {
    const umbrellaObjects = rendered.get('ci/default-values.yaml')!;
    for (const service of serviceNames()) {
      const result = helm(['template', RELEASE, path.join(scratch, service), '--namespace', NAMESPACE]);
      expect(result.status, `${service}: ${result.stderr}`).toBe(0);
      const alone = parseManifests(result.stdout);
      const inUmbrella = umbrellaObjects.filter((m) => m.metadata.labels?.['helm.sh/chart']?.startsWith(`${service}-`));
      expect(sortedByTypeAndName(inUmbrella), service).toEqual(sortedByTypeAndName(alone));
    }
  });

  it('wrap each plain rule file into a PrometheusRule, moving runbook links when asked', { timeout: 30_000 }, () => {
    const ruleFiles = readdirSync(path.join(umbrellaDir, 'files/rules')).filter((file) => file.endsWith('.yaml'));
    const rules = byType<PrometheusRule>(rendered.get('ci/default-values.yaml')!, 'monitoring.coreos.com/v1/PrometheusRule');
    expect(rules.map((rule) => rule.metadata.name).sort()).toEqual(
      ruleFiles.map((file) => `${RELEASE}-${file.replace(/\.yaml$/, '')}`).sort(),
    );
    for (const file of ruleFiles) {
      const plain = readYaml<{ groups: RuleGroup[] }>(path.join(umbrellaDir, 'files/rules', file));
      const wrapped = rules.find((rule) => rule.metadata.name === `${RELEASE}-${file.replace(/\.yaml$/, '')}`)!;
      expect(wrapped.spec.groups, file).toEqual(plain.groups);
    }

    const moved = helm([
      'template',
      RELEASE,
      scratchUmbrella,
      '--set',
      'prometheusRule.runbookBaseUrl=https://wiki.example.com/runbooks/',
      '--show-only',
      'templates/prometheus-rules.yaml',
    ]);
    expect(moved.status, moved.stderr).toBe(0);
    const urls = byType<PrometheusRule>(parseManifests(moved.stdout), 'monitoring.coreos.com/v1/PrometheusRule')
      .flatMap((rule) => rule.spec.groups.flatMap((group) => group.rules))
      .flatMap((rule) => (rule.alert ? [rule.annotations!.runbook_url] : []));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^https:\/\/wiki\.example\.com\/runbooks\/RetailMesh\w+\.md$/);
  });

  it('ship the Grafana dashboard as a ConfigMap the Grafana sidecar picks up', () => {
    const configMaps = byType(rendered.get('ci/default-values.yaml')!, 'v1/ConfigMap').filter(
      (m) => m.metadata.labels?.grafana_dashboard === '1',
    );
    expect(configMaps.length).toBe(1);
    const [[key, json]] = Object.entries(configMaps[0].data ?? {});
    expect(key).toMatch(/\.json$/);
    const dashboard = JSON.parse(json) as { uid: string; title: string; panels: { title: string; targets?: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('retail-mesh-flows');
    const titles = dashboard.panels.map((panel) => panel.title).join('\n');
    for (const topic of [/latency/i, /throughput/i, /dead-letter/i, /throttl/i, /budget/i]) expect(titles).toMatch(topic);
  });

  describe('values.schema.json', () => {
    function templateWith(sets: string[]): { status: number | null; stderr: string } {
      return helm(['template', RELEASE, scratchUmbrella, ...sets.flatMap((set) => ['--set', set])]);
    }

    it('refuses an HPA and KEDA on the same service', { timeout: 30_000 }, () => {
      const result = templateWith(['inventory.autoscaling.enabled=true', 'inventory.keda.enabled=true']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/inventory:[\s\S]*autoscaling\/enabled[\s\S]*false/);
      expect(templateWith(['inventory.autoscaling.enabled=false', 'inventory.keda.enabled=true']).status).toBe(0);
    });

    it('refuses KEDA without a queue to scale on', { timeout: 30_000 }, () => {
      const result = templateWith(['catalog.autoscaling.enabled=false', 'catalog.keda.enabled=true']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/catalog:[\s\S]*queues/);
    });

    it('refuses unknown keys, a latest tag and a malformed schema name', { timeout: 60_000 }, () => {
      expect(templateWith(['catalog.replicas=3']).stderr).toMatch(/additional properties 'replicas' not allowed/);
      expect(templateWith(['global.networkPolicy.enable=true']).stderr).toMatch(/additional properties 'enable' not allowed/);
      expect(templateWith(['catalog.image.tag=latest']).status).not.toBe(0);
      expect(templateWith(['global.imageTag=latest']).status).not.toBe(0);
      expect(templateWith(['inventory.databaseSchema=Inventory-1']).status).not.toBe(0);
    });
  });

  it('document every value with ## @param', () => {
    const documented = (file: string, prefix = '') => {
      const text = readFileSync(file, 'utf8');
      const params = new Set([...text.matchAll(/^\s*## @param ([\w.-]+)/gm)].map((match) => match[1]));
      const undocumented = leafPaths(parse(text) as Record<string, unknown>, prefix).filter(
        (leaf) => !pathAndAncestors(leaf).some((candidate) => params.has(candidate)),
      );
      expect(undocumented, `${path.relative(root, file)}: values without ## @param`).toEqual([]);
    };
    documented(path.join(libDir, 'values.yaml'));
    documented(path.join(umbrellaDir, 'values.yaml'));
    for (const service of serviceNames()) documented(path.join(chartsDir, service, 'values.yaml'));
  });
});

interface Skaffold {
  apiVersion: string;
  build: { artifacts: { image: string; docker: { dockerfile: string; buildArgs: Record<string, string> } }[] };
  deploy: { helm: { releases: { name: string; chartPath: string; setValueTemplates: Record<string, string> }[] } };
}

/** A container's environment as the service will see it, Secret values taken from SECRET_VALUES. */
function environmentOf(variables: IEnvVar[], where: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const variable of variables) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) {
      const value = SECRET_VALUES[`${secret.name}/${secret.key}`];
      if (value === undefined)
        throw new Error(`${where}: ${variable.name} reads Secret ${secret.name} key ${secret.key}: add a sample to SECRET_VALUES`);
      environment[variable.name] = value;
    } else {
      environment[variable.name] = variable.value ?? '';
    }
  }
  return environment;
}

/** `caller -> callee:port` for each peer of a rule that selects another service's pods of the release. */
function peerCalls(
  service: string,
  peers: INetworkPolicyPeer[] | undefined,
  ports: INetworkPolicyPort[] | undefined,
  direction: 'egress' | 'ingress',
): string[] {
  const calls: string[] = [];
  for (const peer of peers ?? []) {
    const labels = peer.podSelector?.matchLabels ?? {};
    const other = labels['app.kubernetes.io/name'];
    if (peer.namespaceSelector || !other || other === service || labels['app.kubernetes.io/instance'] !== RELEASE) continue;
    for (const { port } of ports ?? [])
      calls.push(direction === 'egress' ? `${service} -> ${other}:${port}` : `${other} -> ${service}:${port}`);
  }
  return calls;
}

function sortedByTypeAndName(manifests: Manifest[]): Manifest[] {
  return [...manifests].sort((a, b) => `${typeOf(a)} ${a.metadata.name}`.localeCompare(`${typeOf(b)} ${b.metadata.name}`));
}

/** Dotted paths of a values tree's leaves (scalars, lists, empty maps). */
function leafPaths(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    const isMap = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
    return isMap ? leafPaths(value as Record<string, unknown>, here) : [here];
  });
}

function pathAndAncestors(dotted: string): string[] {
  const parts = dotted.split('.');
  return parts.map((_, index) => parts.slice(0, index + 1).join('.'));
}

function deploymentContainers(manifests: Manifest[], deploymentName: string): IContainer[] {
  const deployment = byType(manifests, 'apps/v1/Deployment').find((m) => m.metadata.name === deploymentName);
  return deployment ? new Deployment(deployment as never).spec!.template.spec!.containers : [];
}

/** Validators by apiVersion/kind: Kubernetes kinds by their schema, CRDs by structure and reference. */
const VALIDATORS: Record<string, (manifest: Manifest, all: Manifest[]) => void> = {
  'v1/ServiceAccount': (m) => new ServiceAccount(m as never).validate(),
  'v1/Service': (m) => new Service(m as never).validate(),
  'v1/ConfigMap': (m) => new ConfigMap(m as never).validate(),
  'v1/Pod': (m) => {
    new Pod(m as never).validate();
    expect(m.metadata.annotations?.['helm.sh/hook']).toBe('test');
  },
  'apps/v1/Deployment': (m, all) => {
    const deployment = new Deployment(m as never);
    deployment.validate();
    const selector = deployment.spec!.selector.matchLabels!;
    expect(deployment.spec!.template.metadata?.labels).toMatchObject(selector);
    const service = byType(all, 'v1/Service').find((s) => s.metadata.name === m.metadata.name);
    expect(service && new Service(service as never).spec?.selector, 'its Service selects its pods').toEqual(selector);
  },
  'batch/v1/Job': (m) => {
    new Job(m as never).validate();
    expect(m.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  },
  'autoscaling/v2/HorizontalPodAutoscaler': (m, all) => {
    const hpa = new HorizontalPodAutoscaler(m as never);
    hpa.validate();
    expect(byType(all, 'apps/v1/Deployment').map((d) => d.metadata.name)).toContain(hpa.spec!.scaleTargetRef.name);
    expect(
      byType(all, 'keda.sh/v1alpha1/ScaledObject').map((s) => s.metadata.name),
      'never both HPA and KEDA',
    ).not.toContain(hpa.metadata!.name);
  },
  'policy/v1/PodDisruptionBudget': (m, all) => {
    const pdb = new PodDisruptionBudget(m as never);
    pdb.validate();
    const deployment = byType(all, 'apps/v1/Deployment').find((d) => d.metadata.name === m.metadata.name);
    expect(deployment && new Deployment(deployment as never).spec!.selector.matchLabels).toEqual(pdb.spec!.selector!.matchLabels);
  },
  'networking.k8s.io/v1/NetworkPolicy': (m) => new NetworkPolicy(m as never).validate(),
  'keda.sh/v1alpha1/ScaledObject': (m, all) => {
    const scaled = m as ScaledObject;
    const containers = deploymentContainers(all, scaled.spec.scaleTargetRef.name);
    expect(containers.length, 'scales a Deployment of the release').toBe(1);
    expect(scaled.spec.scaleTargetRef.envSourceContainerName).toBe(containers[0].name);
    expect(scaled.spec.minReplicaCount).toBeLessThanOrEqual(scaled.spec.maxReplicaCount);
    expect(scaled.spec.triggers.length).toBeGreaterThan(0);
    const service = m.metadata.labels!['app.kubernetes.io/name'];
    for (const trigger of scaled.spec.triggers) {
      expect(trigger.type).toBe('rabbitmq');
      expect(trigger.metadata).toMatchObject({ protocol: 'amqp', mode: 'QueueLength', value: expect.stringMatching(/^\d+$/) });
      expect(trigger.metadata.queueName, 'one of its own queues').toMatch(new RegExp(`^${service}\\.`));
      // KEDA reads the broker URL from the target container's environment.
      const hostVariable = containers[0].env?.find((variable) => variable.name === trigger.metadata.hostFromEnv);
      expect(hostVariable?.valueFrom?.secretKeyRef, 'hostFromEnv names the RABBITMQ_URL secret ref').toBeDefined();
    }
  },
  'monitoring.coreos.com/v1/ServiceMonitor': (m, all) => {
    const monitor = m as ServiceMonitor;
    const services = byType(all, 'v1/Service').filter((s) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => s.metadata.labels?.[key] === value),
    );
    expect(services.length, 'selects exactly one Service').toBe(1);
    const portNames = (new Service(services[0] as never).spec?.ports ?? []).map((port) => port.name);
    for (const endpoint of monitor.spec.endpoints) {
      expect(portNames).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
      expect(endpoint.relabelings, 'sets the service label').toContainEqual(
        expect.objectContaining({ targetLabel: 'service', replacement: m.metadata.labels!['app.kubernetes.io/name'] }),
      );
    }
  },
  'monitoring.coreos.com/v1/PrometheusRule': (m) => {
    const rule = m as PrometheusRule;
    expect(rule.spec.groups.length).toBeGreaterThan(0);
    for (const group of rule.spec.groups) {
      expect(group.name).toMatch(/^retail-mesh-/);
      for (const entry of group.rules) {
        expect(typeof entry.expr).toBe('string');
        expect(Boolean(entry.record) !== Boolean(entry.alert), 'record or alert').toBe(true);
      }
    }
  },
};
