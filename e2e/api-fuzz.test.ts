/**
 * Property-based fuzzing of a real `tug server` (fast-check): malformed and hostile bodies, names,
 * paths, selectors, query parameters and patches never earn a 5xx or a dropped connection, every
 * refusal is a JSON Status, a refused write leaves nothing behind, and the server stays up.
 * Counterexamples are printed by fast-check; the server's own error log is appended to failures.
 */
import { readdir, readFile } from 'node:fs/promises';
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES, apiVersionOf, type ResourceDef } from '../control-plane/api/registry.js';
import { childOf, fieldsOf, parseType, typeOfKind, type Primitive, type TypeExpr } from '../control-plane/api/schema/index.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';

let server: TugServer;
let agent: https.Agent;

// ---------------------------------------------------------------------------------------------
// Raw HTTP: any bytes, any path, any content type; a dropped connection is a failure.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json?: any;
}

interface SendOptions {
  body?: string | Buffer;
  contentType?: string;
  accept?: string;
  /** Not on the shared keep-alive connections (for long answers such as watches). */
  ownConnection?: boolean;
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function send(method: string, path: string, opts: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${server.token}`, Accept: opts.accept ?? 'application/json' };
    if (opts.contentType !== undefined) headers['Content-Type'] = opts.contentType;
    if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
    let answered = false;
    // A server may refuse a huge body (413) from its headers alone and close the connection: such
    // a body goes on a connection of its own, sent only if no answer came first.
    const huge = opts.body !== undefined && Buffer.byteLength(opts.body) > 1024 * 1024;
    const req = https.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: huge || opts.ownConnection ? false : agent, ca: server.caCertPem, timeout: 15_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new Error(`${method} ${path}: the answer broke off: ${err.message}`)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        if (huge) req.destroy();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // Once an answer came, a reset while we were still sending (413 on a huge body) is the server's right.
    req.on('error', (err) => {
      if (!answered) reject(new Error(`${method} ${path}: no answer, the connection failed: ${err.message}`));
    });
    if (!huge) {
      req.end(opts.body);
      return;
    }
    req.flushHeaders();
    setTimeout(() => {
      if (!answered) req.end(opts.body);
    }, 500);
  });
}

/** Sends raw bytes over TLS and returns all the server answers until it closes the connection. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: server.caCertPem, servername: 'localhost' }, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

/** The pid of the tug server process: the one whose command line names its private data dir. */
async function serverPid(): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.includes('server') && args.includes(server.dataDir)) return Number(entry);
  }
  return undefined;
}

const reported = new Set<string>();

/** The server's log lines about requests it failed (5xx) that no earlier check reported. */
function serverFailures(): string {
  const fresh = server
    .logs()
    .split('\n')
    .filter((l) => l.includes('request failed') && !reported.has(l));
  for (const l of fresh) reported.add(l);
  return fresh.join('\n');
}

/** Fails unless the answer is a 2xx, or a 4xx carrying a JSON Status with the same code. */
function sane(a: Answer, what: string): Answer {
  const detail = () => `${what}\n→ HTTP ${a.status}: ${a.text.slice(0, 600)}\n${serverFailures().slice(-3000)}`;
  if (a.status >= 500 || a.status < 200) throw new Error(`server error: ${detail()}`);
  if (a.status >= 400 && (a.json?.kind !== 'Status' || a.json.code !== a.status)) throw new Error(`a ${a.status} without a Status body: ${detail()}`);
  const failures = serverFailures();
  if (failures) throw new Error(`the server logged a failed request: ${what}\n${failures.slice(-3000)}`);
  return a;
}

async function call(method: string, path: string, opts: SendOptions = {}): Promise<Answer> {
  const what = `${method} ${path}${opts.contentType ? ` (${opts.contentType})` : ''}${opts.body !== undefined ? `\nbody: ${String(opts.body).slice(0, 400)}` : ''}`;
  return sane(await send(method, path, opts), what);
}

const json = (v: unknown) => ({ body: JSON.stringify(v), contentType: 'application/json' });

// ---------------------------------------------------------------------------------------------
// Targets: every creatable resource, with a valid object to start mutating from.

const NS = 'fuzz';
/** A namespace nothing but one property writes to, so that collection sizes can be compared. */
const PW_NS = 'fuzz-pw';

function collectionPath(def: ResourceDef, namespace = NS): string {
  const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  return def.namespaced ? `${base}/namespaces/${namespace}/${def.plural}` : `${base}/${def.plural}`;
}

function itemPath(def: ResourceDef, name: string, namespace = NS): string {
  return `${collectionPath(def, namespace)}/${encodeURIComponent(name)}`;
}

const CONTAINER = { name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] };
const POD_SPEC = { containers: [CONTAINER] };
const TEMPLATE = { metadata: { labels: { app: 'fuzz' } }, spec: POD_SPEC };
const SCALE_TARGET = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

/** The content (beside apiVersion/kind/metadata) of a valid object of each kind; `{}` where metadata suffices. */
const CONTENT: Record<string, (ns: string) => Record<string, unknown>> = {
  '/v1/Pod': () => ({ spec: POD_SPEC }),
  '/v1/Service': () => ({ spec: { selector: { app: 'fuzz' }, ports: [{ port: 80, targetPort: 8080 }] } }),
  '/v1/ConfigMap': () => ({ data: { k: 'v' } }),
  '/v1/Secret': () => ({ type: 'Opaque', stringData: { k: 'v' } }),
  '/v1/Endpoints': () => ({ subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }),
  '/v1/Event': (ns) => ({ involvedObject: { kind: 'Pod', namespace: ns, name: 'p' }, reason: 'R', message: 'm', type: 'Normal', source: { component: 'fuzz' } }),
  '/v1/LimitRange': () => ({ spec: { limits: [{ type: 'Container', default: { cpu: '100m' } }] } }),
  '/v1/ResourceQuota': () => ({ spec: { hard: { pods: '10' } } }),
  // With its pod CIDR set, no controller (node IPAM) writes a new node: its resourceVersion holds still.
  '/v1/Node': () => ({ spec: { podCIDR: '10.250.0.0/24', podCIDRs: ['10.250.0.0/24'] } }),
  '/v1/PersistentVolume': () => ({ spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' } } }),
  '/v1/PersistentVolumeClaim': () => ({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  'apps/v1/ControllerRevision': () => ({ revision: 1, data: { spec: {} } }),
  'apps/v1/DaemonSet': () => ({ spec: { selector: { matchLabels: { app: 'fuzz' } }, template: TEMPLATE } }),
  'apps/v1/Deployment': () => ({ spec: { replicas: 1, selector: { matchLabels: { app: 'fuzz' } }, template: TEMPLATE } }),
  'apps/v1/ReplicaSet': () => ({ spec: { replicas: 1, selector: { matchLabels: { app: 'fuzz' } }, template: TEMPLATE } }),
  'apps/v1/StatefulSet': () => ({ spec: { serviceName: 'web', selector: { matchLabels: { app: 'fuzz' } }, template: TEMPLATE } }),
  'autoscaling/v2/HorizontalPodAutoscaler': () => ({
    spec: { scaleTargetRef: SCALE_TARGET, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
  }),
  'autoscaling/v1/HorizontalPodAutoscaler': () => ({ spec: { scaleTargetRef: SCALE_TARGET, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } }),
  'batch/v1/Job': () => ({ spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } } }),
  'batch/v1/CronJob': () => ({ spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'OnFailure' } } } } } }),
  'coordination.k8s.io/v1/Lease': () => ({ spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }),
  'discovery.k8s.io/v1/EndpointSlice': () => ({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80, protocol: 'TCP' }] }),
  'events.k8s.io/v1/Event': (ns) => ({
    eventTime: '2024-01-01T00:00:00.000000Z',
    reportingController: 'example.com/fuzz',
    reportingInstance: 'i-1',
    action: 'Fuzz',
    reason: 'Fuzzed',
    type: 'Normal',
    note: 'n',
    regarding: { kind: 'Pod', namespace: ns, name: 'p' },
  }),
  'networking.k8s.io/v1/IngressClass': () => ({ spec: { controller: 'example.com/ingress' } }),
  'networking.k8s.io/v1/Ingress': () => ({ spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }),
  'networking.k8s.io/v1/NetworkPolicy': () => ({ spec: { podSelector: {}, policyTypes: ['Ingress'] } }),
  'policy/v1/PodDisruptionBudget': () => ({ spec: { minAvailable: 1, selector: { matchLabels: { app: 'fuzz' } } } }),
  'scheduling.k8s.io/v1/PriorityClass': () => ({ value: 1000 }),
  'storage.k8s.io/v1/StorageClass': () => ({ provisioner: 'example.com/disk' }),
  'rbac.authorization.k8s.io/v1/Role': () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  'rbac.authorization.k8s.io/v1/ClusterRole': () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  'rbac.authorization.k8s.io/v1/RoleBinding': () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': (ns) => ({ spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: ns } } }),
  'authentication.k8s.io/v1/TokenReview': () => ({ spec: { token: 'not-a-token' } }),
};

const gvk = (def: ResourceDef) => `${def.group}/${def.version}/${def.kind}`;

/** A valid object of `def`'s kind named `name`. */
function validObject(def: ResourceDef, name: string, namespace = NS): any {
  return structuredClone({ apiVersion: apiVersionOf(def), kind: def.kind, metadata: { name }, ...(CONTENT[gvk(def)]?.(namespace) ?? {}) });
}

const CREATABLE = RESOURCES.filter((r) => r.verbs.includes('create'));
/** The kinds the acceptance criterion names, fuzzed more often than the rest. */
const FOCUS = ['pods', 'deployments', 'services', 'configmaps', 'secrets', 'namespaces', 'jobs', 'horizontalpodautoscalers', 'events', 'roles', 'storageclasses', 'selfsubjectaccessreviews'];
const FOCUSED = CREATABLE.filter((r) => FOCUS.includes(r.plural));
/** Reviews are answered, never stored. */
const REVIEWS = ['selfsubjectaccessreviews', 'tokenreviews'];
const STORED = CREATABLE.filter((r) => !REVIEWS.includes(r.plural));
const POD = RESOURCES.find((r) => r.kind === 'Pod')!;

const targetArb = (defs: ResourceDef[], focused: ResourceDef[] = []) =>
  fc.oneof({ arbitrary: fc.constantFrom(...defs), weight: 1 }, ...(focused.length ? [{ arbitrary: fc.constantFrom(...focused), weight: 2 }] : []));

// ---------------------------------------------------------------------------------------------
// Values: hostile ones of any JSON type, and schema-typed ones that reach validators and printers.

const WEIRD_STRINGS = [
  '', ' ', '.', '..', '-', 'a', 'A', 'nginx', '0', '-1', '1.5', '1e400', '1Gi', '100m', '-100m', '1.5.5', 'TCP', 'Always', 'None',
  'ClusterIP', 'NodePort', 'LoadBalancer', 'Exists', 'In', 'Utilization', 'Resource', 'Pods', 'Percent', '50%', '%', '-1%', 'abc%',
  '10.0.0.1', '::1', '256.1.1.1', '*', 'a/b', 'a b', '\u0000', '\n', '名前', '💥', 'ﬁ', '\u202e', '${x}', '%2F', '/', '\\',
  'kube-system', 'default', 'x'.repeat(64), 'y'.repeat(254), 'z'.repeat(70_000), 'a.b.c', 'A_B', 'http', 'true', 'null',
  '2024-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'not a time', '*/5 * * * *', '@hourly', '61 25 * * *',
];
/** JSON in strings, for annotations that carry it (HPA autoscaling/v1, last-applied-configuration). */
const JSON_STRINGS = [
  '[]', '{}', 'null', '[null]', '[1]', '["x"]', '[{}]', '[{"type":"Resource"}]', '[{"type":"Resource","resource":null}]',
  '[{"type":"Resource","resource":{"name":"cpu","targetAverageUtilization":"x"}}]', '[{"type":"Pods","pods":{"metricName":1}}]',
  '[{"type":"Object","object":{"target":null,"targetValue":[]}}]', '[{"type":"External","external":{"metricSelector":"x"}}]',
  '[{"type":"ContainerResource","containerResource":{"name":"cpu","container":"c","targetAverageValue":{}}}]',
  '{"scaleUp":5}', '{"scaleUp":{"policies":"x"}}', '[{"type":"AbleToScale","status":1}]', '[{"type":"AbleToScale","status":"True","lastTransitionTime":"x"}]',
];
const HUGE_NUMBERS = [2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 0.5, -0, -1, 1.5, 65536, 65535, 0];

const weirdString = fc.oneof(fc.constantFrom(...WEIRD_STRINGS, ...JSON_STRINGS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const weirdNumber = fc.oneof(fc.constantFrom(...HUGE_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const hostileScalar = fc.oneof(weirdString, weirdNumber, fc.boolean(), fc.constant(null));
const hostileKey = fc.oneof(fc.constantFrom('', 'name', 'app', '$patch', '$retainKeys', 'a/b', 'kubernetes.io/x', '..', '__proto__', 'constructor', 'x'.repeat(300)), fc.string({ maxLength: 8 }));

/** Nested arrays or objects `depth` deep. */
const deeplyNested = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});

const { hostile } = fc.letrec((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: hostileScalar, weight: 6 },
    { arbitrary: fc.array(tie('hostile'), { maxLength: 3 }), weight: 2 },
    { arbitrary: fc.dictionary(hostileKey, tie('hostile'), { maxKeys: 3 }), weight: 2 },
  ),
}));
/** Hostile values, now and then nested thousands deep. */
const hostileOrDeep = fc.oneof({ arbitrary: hostile, weight: 9 }, { arbitrary: deeplyNested, weight: 1 });

const INT_OR_STRINGS = ['80', 'http', '50%', '%', '-1%', '1.5%', 'abc%', '', '100%', '101%', '0%'];
const DATE_TIMES = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.123456Z', 'yesterday', '', '2024-13-45T99:99:99Z', '0001-01-01T00:00:00Z'];

function primitiveValue(g: fc.GeneratorValue, name: Primitive): unknown {
  switch (name) {
    case 'string':
      return g(() => weirdString);
    case 'boolean':
      return g(fc.boolean);
    case 'int32':
    case 'int64':
      return g(() => fc.oneof(fc.constantFrom(0, 1, 2, 3, -1, 80, 8080, 65536, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -100, max: 100_000 })));
    case 'number':
      return g(() => fc.oneof(fc.constantFrom(0, 1, -1, 0.5), fc.double({ noNaN: true, noDefaultInfinity: true })));
    case 'byte':
      return g(() => fc.oneof(fc.base64String({ maxLength: 12 }), weirdString));
    case 'date-time':
      return g(() => fc.constantFrom(...DATE_TIMES));
    case 'int-or-string':
      return g(() => fc.oneof(fc.constantFrom(...INT_OR_STRINGS), fc.integer({ min: -2, max: 70_000 })));
    case 'any':
      return g(() => hostile);
  }
}

const MAP_KEYS = [
  'app', 'k', 'cpu', 'memory', 'storage', 'nvidia.com/gpu', 'pods', 'a.b/c', '', '-bad-', 'x'.repeat(70),
  'autoscaling.alpha.kubernetes.io/metrics', 'autoscaling.alpha.kubernetes.io/current-metrics', 'autoscaling.alpha.kubernetes.io/conditions',
  'autoscaling.alpha.kubernetes.io/behavior', 'kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision',
];

/** A value of schema type `type`, with random (mostly right-typed) content. */
function typedValue(g: fc.GeneratorValue, type: TypeExpr, depth: number): unknown {
  switch (type.kind) {
    case 'primitive':
      return primitiveValue(g, type.name);
    case 'list':
      return depth <= 0 ? [] : Array.from({ length: g(fc.nat, 2) }, () => typedValue(g, type.of, depth - 1));
    case 'map': {
      const out: Record<string, unknown> = {};
      const n = depth <= 0 ? 0 : g(fc.nat, 2);
      for (let i = 0; i < n; i++) out[g(fc.constantFrom, ...MAP_KEYS)] = typedValue(g, type.of, depth - 1);
      return out;
    }
    case 'object': {
      const fields = Object.keys(fieldsOf(type.name) ?? {});
      const out: Record<string, unknown> = {};
      const n = depth <= 0 || fields.length === 0 ? 0 : g(fc.nat, 3);
      for (let i = 0; i < n; i++) {
        const f = g(fc.constantFrom, ...fields);
        out[f] = typedValue(g, childOf(type, f)!.type, depth - 1);
      }
      return out;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sets one field somewhere under `obj` (a value of schema type `root`), reached by walking declared
 * fields, map keys and list items at random, to a right-typed value (mostly) or a hostile one.
 */
function mutate(g: fc.GeneratorValue, obj: any, root: TypeExpr): void {
  let cur = obj;
  let type = root;
  for (let depth = 0; ; depth++) {
    let key: string | number;
    let child: TypeExpr | undefined;
    if (type.kind === 'list') {
      key = g(fc.nat, 2);
      child = type.of;
    } else if (type.kind === 'map') {
      key = g(fc.constantFrom, ...MAP_KEYS);
      child = type.of;
    } else if (type.kind === 'object' && Object.keys(fieldsOf(type.name) ?? {}).length > 0) {
      key = g(fc.constantFrom, ...Object.keys(fieldsOf(type.name)!));
      child = childOf(type, key)!.type;
    } else {
      return;
    }
    const stop = depth >= 8 || child.kind === 'primitive' || g(fc.nat, 3) === 0;
    if (stop) {
      cur[key] = g(fc.nat, 3) > 0 ? typedValue(g, child, 2) : g(() => hostileOrDeep);
      return;
    }
    const container = child.kind === 'list' ? Array.isArray(cur[key]) : isPlainObject(cur[key]);
    if (!container) cur[key] = child.kind === 'list' ? [] : {};
    if (child.kind === 'list') while (cur[key].length <= 2) cur[key].push(child.of.kind === 'primitive' ? primitiveValue(g, 'string') : {});
    cur = cur[key];
    type = child;
  }
}

function rootType(def: ResourceDef): TypeExpr | undefined {
  const t = typeOfKind(def.group, def.version, def.kind);
  return t ? parseType(t) : undefined;
}

/** A valid object of `def`'s kind with 1-4 fields mutated; apiVersion and kind stay right (mostly). */
function mutatedObject(g: fc.GeneratorValue, def: ResourceDef, name: string, namespace = NS): any {
  const obj = validObject(def, name, namespace);
  const root = rootType(def);
  if (!root) return obj;
  const n = g(fc.integer, { min: 1, max: 4 });
  for (let i = 0; i < n; i++) mutate(g, obj, root);
  if (g(fc.nat, 9) > 0) {
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
  }
  return obj;
}

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${(counter++).toString(36)}`;

/** After a successful write: the object reads back through every served version, as JSON and as a Table. */
async function readBack(def: ResourceDef, name: unknown, namespace = NS): Promise<void> {
  if (typeof name !== 'string' || name === '' || REVIEWS.includes(def.plural)) return;
  for (const served of RESOURCES.filter((r) => r.storage === def.storage)) {
    await call('GET', itemPath(served, name, namespace));
    await call('GET', itemPath(served, name, namespace), { accept: TABLE_ACCEPT });
    await call('GET', `${collectionPath(served, namespace)}?limit=50`, { accept: TABLE_ACCEPT });
  }
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  // Only the basic controllers: workload controllers writing fuzzed objects would make the
  // "a refused write changes nothing" property race with them.
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: server.caCertPem });
  for (const ns of [NS, PW_NS]) {
    const a = await call('POST', '/api/v1/namespaces', json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    expect(a.status).toBe(201);
  }
});

afterAll(async () => {
  agent?.destroy();
  await server?.stop();
});

const RUNS = { numRuns: 300, endOnFailure: true } as const;

describe('the API server under fuzzing', () => {
  it('answers arbitrary JSON values and hostile Kubernetes-shaped objects with 2xx or a 4xx Status', async () => {
    const garbage = fc.record({
      def: targetArb(CREATABLE, FOCUSED),
      body: fc.oneof(fc.anything(), fc.json().map((s) => JSON.parse(s)), hostileOrDeep),
      put: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(garbage, async ({ def, body, put }) => {
        const name = uniqueName('g');
        const path = put && def.verbs.includes('update') ? itemPath(def, name) : collectionPath(def);
        await call(put ? 'PUT' : 'POST', path, json(body));
      }),
      RUNS,
    );
    const shaped = fc.record({ def: targetArb(CREATABLE, FOCUSED), put: fc.boolean(), g: fc.gen() });
    await fc.assert(
      fc.asyncProperty(shaped, async ({ def, put, g }) => {
        const obj = mutatedObject(g, def, uniqueName('k'));
        const name = typeof obj.metadata?.name === 'string' && obj.metadata.name ? obj.metadata.name : uniqueName('p');
        const usePut = put && def.verbs.includes('update');
        const a = await call(usePut ? 'PUT' : 'POST', usePut ? itemPath(def, name) : collectionPath(def), json(obj));
        if (a.status < 300) await readBack(def, a.json?.metadata?.name);
      }),
      { ...RUNS, numRuns: 1200 },
    );
    // Annotations that carry JSON for conversions (HPA autoscaling/v1 keeps its v2-only fields there).
    const hpas = RESOURCES.filter((d) => d.kind === 'HorizontalPodAutoscaler');
    const annotated = fc.record({
      def: fc.constantFrom(...hpas),
      annotations: fc.dictionary(fc.constantFrom(...MAP_KEYS.filter((k) => k.includes('/'))), fc.oneof(fc.constantFrom(...JSON_STRINGS), fc.json(), weirdString), { minKeys: 1, maxKeys: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(annotated, async ({ def, annotations }) => {
        const obj = validObject(def, uniqueName('a'));
        obj.metadata.annotations = annotations;
        const a = await call('POST', collectionPath(def), json(obj));
        if (a.status < 300) await readBack(def, obj.metadata.name);
      }),
      { ...RUNS, numRuns: 300 },
    );

    // Bindings (the scheduler's writes) and self-subject access reviews, hostile.
    const reviewCase = fc.record({ g: fc.gen(), binding: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(reviewCase, async ({ g, binding }) => {
        if (!binding) {
          const review = validObject(RESOURCES.find((r) => r.plural === 'selfsubjectaccessreviews')!, '');
          mutate(g, review, parseType(typeOfKind('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview')!));
          await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', json(review));
          return;
        }
        const name = uniqueName('b');
        expect((await call('POST', collectionPath(POD), json(validObject(POD, name)))).status).toBe(201);
        const body: any = { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'fuzz-node' } };
        const n = g(fc.integer, { min: 1, max: 3 });
        for (let i = 0; i < n; i++) mutate(g, body, parseType(typeOfKind('', 'v1', 'Binding')!));
        const a = await call('POST', `${itemPath(POD, name)}/binding`, json(body));
        if (a.status >= 300) return;
        // Binding skips pod validation (upstream checks only target.name), but whatever it stored
        // still has its schema types: written back unchanged, the pod decodes (a 422 may follow).
        const pod = (await call('GET', itemPath(POD, name))).json;
        const put = await call('PUT', itemPath(POD, name), json(pod));
        expect(put.status, `the bound pod no longer decodes: ${put.text}`).not.toBe(400);
        await readBack(POD, name);
      }),
      { ...RUNS, numRuns: 300 },
    );

    // Status written through the status subresource reaches printers and conversions as it is.
    const withStatus = STORED.filter((d) => d.subresources.includes('status'));
    const statusCase = fc.record({ def: targetArb(withStatus, withStatus.filter((d) => FOCUS.includes(d.plural))), g: fc.gen() });
    await fc.assert(
      fc.asyncProperty(statusCase, async ({ def, g }) => {
        const name = uniqueName('s');
        const created = await call('POST', collectionPath(def), json(validObject(def, name)));
        expect(created.status, created.text).toBe(201);
        const obj = created.json;
        const statusType = childOf(rootType(def), 'status')!.type;
        if (!isPlainObject(obj.status)) obj.status = {};
        const n = g(fc.integer, { min: 1, max: 4 });
        for (let i = 0; i < n; i++) mutate(g, obj.status, statusType);
        const a = await call('PUT', `${itemPath(def, name)}/status`, json(obj));
        if (a.status < 300) await readBack(def, name);
      }),
      { ...RUNS, numRuns: 600 },
    );
  });

  it('answers malformed bodies with a 4xx Status', async () => {
    const contentTypes = fc.constantFrom(
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
      'text/plain',
      '',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      ';;;',
      'application/merge-patch+json',
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('k8s\0'), Buffer.from(b)])),
      protobufUnknown.map((b) => Buffer.from(b)),
      fc.string().map((s) => Buffer.from(s)),
      fc.constantFrom(
        '',
        '{',
        '[',
        'null',
        '"a"',
        '1e400',
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup2"},"data":{"a":"1","a":2}}',
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge","generation":123456789012345678901234567890}}',
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"inf"},"spec":{"replicas":1e400}}',
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"neg"},"spec":{"containers":[{"name":"c","image":"i"}],"terminationGracePeriodSeconds":-1e400}}',
        'a: &a [*a]',
        'a: &a ["x", *a, *a, *a, *a, *a, *a, *a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
        '---\napiVersion: v1\nkind: ConfigMap\n---\nkind: Secret\n',
        '? [1, 2]\n: 3\n',
        '{1: 2, true: 3, null: 4}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tagged}\ndata: !!binary aGVsbG8=\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ts}\ndata: {a: 2001-12-14}\n',
        '\ufeff{"apiVersion":"v1"}',
        '\t\n',
        '{"__proto__":{"polluted":true},"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto"}}',
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ctor","constructor":{"prototype":{"x":1}}}}',
      ).map((s) => Buffer.from(s)),
    );
    const cases = fc.record({
      def: targetArb(CREATABLE, FOCUSED),
      method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
      contentType: fc.option(contentTypes, { nil: undefined }),
      body: bodies,
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ def, method, contentType, body }) => {
        const path = method === 'POST' ? collectionPath(def) : itemPath(def, 'malformed');
        await call(method, path, { body, contentType });
      }),
      { ...RUNS, numRuns: 800 },
    );

    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    for (const [method, contentType] of [
      ['POST', 'application/json'],
      ['PUT', 'application/yaml'],
      ['PATCH', 'application/merge-patch+json'],
    ] as const) {
      const path = method === 'POST' ? collectionPath(FOCUSED[0]!) : itemPath(FOCUSED[0]!, 'big');
      const a = await call(method, path, { body: big, contentType });
      expect(a.status).toBe(413);
    }
    const longUrl = await call('GET', `/api/v1/namespaces/${'x'.repeat(1024 * 1024)}`, { ownConnection: true });
    expect(longUrl.status).toBe(431);
    for (const garbage of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /api HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n']) {
      const answer = await rawExchange(garbage);
      expect(answer, `the answer to ${JSON.stringify(garbage)}`).toMatch(/^HTTP\/1\.1 400 [^]*\r\n\r\n\{"kind":"Status".*"code":400\}$/);
    }
  });

  it('survives arbitrary patches of all four types, and the stored objects stay valid', async () => {
    const deploy = RESOURCES.find((r) => r.plural === 'deployments')!;
    const cm = RESOURCES.find((r) => r.plural === 'configmaps')!;
    // Beside the two the criterion names: a Service (address claims), a Pod, an autoscaling/v1 HPA (conversion).
    const others = RESOURCES.filter((r) => r.plural === 'services' || r.plural === 'pods' || (r.kind === 'HorizontalPodAutoscaler' && r.version === 'v1'));
    for (const def of [deploy, cm, ...others]) {
      expect((await call('POST', collectionPath(def), json(validObject(def, 'patched')))).status).toBe(201);
    }
    const patchCase = fc.record({
      def: fc.oneof({ arbitrary: fc.constantFrom(deploy, cm), weight: 2 }, { arbitrary: fc.constantFrom(...others), weight: 1 }),
      fresh: fc.boolean(),
      type: fc.constantFrom('json', 'merge', 'strategic', 'apply'),
      subresource: fc.constantFrom('', '', '', 'status', 'scale'),
      force: fc.boolean(),
      manager: fc.constantFrom('fuzzer', 'kubectl', 'other'),
      g: fc.gen(),
    });
    await fc.assert(
      fc.asyncProperty(patchCase, async ({ def, fresh, type, subresource, force, manager, g }) => {
        const sub = subresource === 'scale' && def !== deploy ? '' : subresource;
        if (fresh && type === 'apply' && !sub) {
          // An apply patch to a missing object creates it; a refused one creates nothing.
          const name = uniqueName('ap');
          const patch = patchDocument(g, def, type);
          if (isPlainObject(patch) && isPlainObject(patch.metadata)) patch.metadata.name = name;
          const a = await call('PATCH', `${itemPath(def, name)}?fieldManager=${manager}`, { body: JSON.stringify(patch), contentType: PATCH_TYPES[type] });
          if (a.status >= 400) expect((await send('GET', itemPath(def, name))).status, 'a refused apply created the object').toBe(404);
          else await readBack(def, name);
          return;
        }
        if (sub === 'scale' && g(fc.boolean)) {
          // A PUT of a hostile Scale.
          const current = (await call('GET', `${itemPath(def, 'patched')}/scale`)).json;
          mutate(g, current, parseType(typeOfKind('autoscaling', 'v1', 'Scale')!));
          await call('PUT', `${itemPath(def, 'patched')}/scale`, json(current));
          return;
        }
        const path = `${itemPath(def, 'patched')}${sub ? `/${sub}` : ''}`;
        const before = (await call('GET', itemPath(def, 'patched'))).json;
        const patch = patchDocument(g, def, type);
        const query = type === 'apply' ? `?fieldManager=${manager}${force ? '&force=true' : ''}` : '';
        const a = await call('PATCH', path + query, { body: JSON.stringify(patch), contentType: PATCH_TYPES[type] });
        const after = (await call('GET', itemPath(def, 'patched'))).json;
        if (a.status >= 400) expect(after.metadata.resourceVersion, 'a refused patch changed the object').toBe(before.metadata.resourceVersion);
        // The stored object is still valid: it can be written back unchanged.
        const put = await call('PUT', itemPath(def, 'patched'), json(after));
        expect(put.status, `the patched object no longer validates: ${put.text}`).toBe(200);
        await readBack(def, 'patched');
      }),
      { ...RUNS, numRuns: 800 },
    );
  });

  it('answers garbage selectors and query parameters on list, watch, create and delete with 2xx or a 4xx Status', async () => {
    const defs = STORED;
    const watches: Promise<Error | undefined>[] = [];
    const queryCase = fc.record({
      def: targetArb(defs, FOCUSED.filter((d) => d.plural !== 'selfsubjectaccessreviews')),
      verb: fc.constantFrom('list', 'list', 'watch', 'create', 'delete', 'deletecollection', 'get'),
      params: fc.array(fc.tuple(fc.constantFrom(...QUERY_PARAMS), queryValue), { maxLength: 4 }),
      raw: fc.option(rawQuery, { nil: undefined }),
      accept: fc.option(acceptHeader, { nil: undefined }),
      options: fc.option(deleteOptionsBody, { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(queryCase, async ({ def, verb, params, raw, accept, options }) => {
        // Only watches watch, and they end within a second: no random `watch` turns a list into one,
        // and no random valid timeout outlasts the one set here (the last value of a parameter wins).
        const watching = verb === 'watch';
        const kept = params.filter(([k, v]) => k !== 'watch' && !(watching && k === 'timeoutSeconds' && /^-?\d*$/.test(v)));
        const query = [watching ? 'watch=true&timeoutSeconds=1' : '', raw ?? new URLSearchParams(kept).toString()].filter(Boolean).join('&');
        switch (verb) {
          case 'list':
            await call('GET', `${collectionPath(def)}?${query}`, { accept });
            return;
          case 'watch':
            // A watch lasts its timeout: it runs beside the property on a connection of its own.
            watches.push(call('GET', `${collectionPath(def)}?${query}`, { accept, ownConnection: true }).then(() => undefined, (err: Error) => err));
            return;
          case 'get':
            await call('GET', `${itemPath(def, 'q')}?${query}`, { accept });
            return;
          case 'create': {
            const a = await call('POST', `${collectionPath(def)}?${query}`, { ...json(validObject(def, uniqueName('q'))), accept });
            if (a.status < 300) await readBack(def, a.json?.metadata?.name);
            return;
          }
          case 'delete': {
            const name = uniqueName('d');
            const obj = validObject(def, name);
            // A pod on a node is deleted gracefully: its grace period sets a deadline.
            if (def.kind === 'Pod') obj.spec.nodeName = 'fuzz-node';
            await call('POST', collectionPath(def), json(obj));
            await call('DELETE', `${itemPath(def, name)}?${query}`, { accept, ...(options === undefined ? {} : json(options)) });
            return;
          }
          case 'deletecollection':
            // Only in the namespace no other property keeps objects in across runs.
            if (!def.namespaced) return;
            await call('DELETE', `${collectionPath(def, PW_NS)}?${query}`, { accept });
        }
      }),
      {
        ...RUNS,
        numRuns: 800,
        examples: [
          [{ def: POD, verb: 'delete', params: [['gracePeriodSeconds', String(Number.MAX_SAFE_INTEGER)]], raw: undefined, accept: undefined, options: undefined }],
          [{ def: POD, verb: 'delete', params: [], raw: undefined, accept: undefined, options: { gracePeriodSeconds: 1e308 } }],
          [{ def: POD, verb: 'list', params: [['limit', '99999999999999999999']], raw: undefined, accept: undefined, options: undefined }],
        ],
      },
    );
    const failed = (await Promise.all(watches)).filter((e) => e !== undefined);
    if (failed.length > 0) throw failed[0];
  });

  it('answers random paths, names and subresources with 2xx or a 4xx Status', async () => {
    const pathCase = fc.record({
      method: fc.constantFrom('GET', 'DELETE', 'PUT', 'POST', 'PATCH'),
      segments: fc.array(segment, { minLength: 0, maxLength: 7 }),
      shape: fc.constantFrom('core', 'group', 'free'),
    });
    await fc.assert(
      fc.asyncProperty(pathCase, async ({ method, segments, shape }) => {
        const prefix = shape === 'core' ? '/api/v1' : shape === 'group' ? '/apis/apps/v1' : '';
        // A random path may name a watch (`/api/v1/watch/...`): it ends within a second.
        const path = `${prefix}/${segments.join('/')}${method === 'GET' ? '?timeoutSeconds=1' : ''}`;
        const body = method === 'PATCH' ? { body: '{}', contentType: 'application/merge-patch+json' } : method === 'GET' || method === 'DELETE' ? {} : json(validObject(FOCUSED[0]!, 'x'));
        await call(method, path, body);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it('leaves nothing behind when it refuses a create or an update', async () => {
    const writeCase = fc.record({ def: targetArb(STORED), g: fc.gen(), generate: fc.boolean() });
    const itemsIn = async (def: ResourceDef) => (await call('GET', collectionPath(def, PW_NS))).json.items.length;
    await fc.assert(
      fc.asyncProperty(writeCase, async ({ def, g, generate }) => {
        // A refused create: nothing under that name, nothing in the collection.
        const name = uniqueName('pw');
        const obj = mutatedObject(g, def, name, PW_NS);
        if (!isPlainObject(obj.metadata)) obj.metadata = {};
        if (generate) {
          delete obj.metadata.name;
          obj.metadata.generateName = 'pw-';
        } else {
          obj.metadata.name = name;
        }
        const count = def.namespaced ? await itemsIn(def) : 0;
        const created = await call('POST', collectionPath(def, PW_NS), json(obj));
        if (created.status >= 400) {
          if (!generate) expect((await send('GET', itemPath(def, name, PW_NS))).status, `a refused create of ${name} left it behind`).toBe(404);
          if (def.namespaced) expect(await itemsIn(def), 'a refused create left an object behind').toBe(count);
        }

        // A refused update: the stored object keeps its resourceVersion, and nothing the update
        // carried (a marker label, its field manager) shows up in it.
        if (!def.verbs.includes('update')) return;
        const target = uniqueName('pw-u');
        const base = await call('POST', collectionPath(def, PW_NS), json(validObject(def, target, PW_NS)));
        expect(base.status, base.text).toBe(201);
        const update = mutatedObject(g, def, target, PW_NS);
        if (isPlainObject(update.metadata)) {
          update.metadata.name = target;
          if (update.metadata.labels === undefined || isPlainObject(update.metadata.labels)) update.metadata.labels = { ...update.metadata.labels, 'fuzz-refused': 'yes' };
        }
        const updated = await call('PUT', `${itemPath(def, target, PW_NS)}?fieldManager=fuzz-refused`, json(update));
        if (updated.status >= 400) {
          const now = (await call('GET', itemPath(def, target, PW_NS))).json;
          expect(now.metadata.resourceVersion, 'a refused update changed the object').toBe(base.json.metadata.resourceVersion);
          expect(now.metadata.labels?.['fuzz-refused'], 'a refused update left its label').toBeUndefined();
          expect((now.metadata.managedFields ?? []).map((m: any) => m.manager), 'a refused update left its field manager').not.toContain('fuzz-refused');
        }
      }),
      { ...RUNS, numRuns: 500 },
    );
  });

  it('is still up and serving afterwards', async () => {
    const health = await send('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.text).toBe('ok');
    const cm = RESOURCES.find((r) => r.plural === 'configmaps')!;
    const created = await call('POST', collectionPath(cm), json(validObject(cm, 'after-fuzz')));
    expect(created.status).toBe(201);
    const got = await call('GET', itemPath(cm, 'after-fuzz'));
    expect(got.json.data).toEqual({ k: 'v' });
    expect(serverFailures()).toBe('');
    // The process is alive: signal 0 only checks that it exists.
    const pid = await serverPid();
    expect(pid, 'the tug server process is gone').toBeDefined();
    expect(() => process.kill(pid!, 0)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Patch documents, query strings and path segments.

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const POINTERS = [
  '',
  '/',
  '/spec',
  '/spec/replicas',
  '/spec/template/spec/containers/0',
  '/spec/template/spec/containers/-',
  '/spec/template/spec/containers/1',
  '/spec/template/spec/containers/999',
  '/spec/template/spec/containers/-1',
  '/spec/template/spec/containers/01',
  '/spec/template/spec/containers/0/ports/0/containerPort',
  '/spec/selector/matchLabels/app',
  '/metadata/labels',
  '/metadata/labels/a~1b',
  '/metadata/name',
  '/metadata/resourceVersion',
  '/metadata/finalizers/-',
  '/data/k',
  '/data',
  '/status',
  '/a/~2',
  '/~',
  'spec',
  '/spec//replicas',
];
const DIRECTIVES = ['$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/ports', '$deleteFromPrimitiveList/args', '$setElementOrder/finalizers'];
const directiveValue = fc.oneof(fc.constantFrom('delete', 'replace', 'merge', 'bogus'), hostile, fc.array(fc.oneof(hostile, fc.record({ name: weirdString })), { maxLength: 3 }));

/** A JSON patch (list of operations, or not a list at all). */
const jsonPatch = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.record({ op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), hostile), path: fc.oneof(fc.constantFrom(...POINTERS), hostile), value: hostile, from: fc.oneof(fc.constantFrom(...POINTERS), hostile) }, { requiredKeys: ['op', 'path'] }), { maxLength: 4 }) },
  { weight: 1, arbitrary: hostile },
);

/** Sprinkles patch directives of wrong types into an object patch at random depths. */
function withDirectives(g: fc.GeneratorValue, patch: any): any {
  const n = g(fc.nat, 3);
  for (let i = 0; i < n; i++) {
    let cur = patch;
    for (const step of ['spec', 'template', 'spec', 'containers'].slice(0, g(fc.nat, 4))) {
      if (!isPlainObject(cur[step])) cur[step] = step === 'containers' ? [{ name: 'c', $patch: g(() => directiveValue) }] : {};
      if (!isPlainObject(cur[step])) break;
      cur = cur[step];
    }
    if (isPlainObject(cur)) cur[g(fc.constantFrom, ...DIRECTIVES)] = g(() => directiveValue);
  }
  return patch;
}

function patchDocument(g: fc.GeneratorValue, def: ResourceDef, type: keyof typeof PATCH_TYPES): unknown {
  if (type === 'json') return g(() => jsonPatch);
  if (g(fc.nat, 9) === 0) return g(() => hostileOrDeep);
  const root = rootType(def)!;
  const patch: any = type === 'apply' ? { apiVersion: apiVersionOf(def), kind: def.kind, metadata: { name: 'patched' } } : {};
  const n = g(fc.integer, { min: 1, max: 3 });
  for (let i = 0; i < n; i++) mutate(g, patch, root);
  return type === 'strategic' || g(fc.boolean) ? withDirectives(g, patch) : patch;
}

const QUERY_PARAMS = [
  'gracePeriodSeconds',
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
  'dryRun',
  'fieldValidation',
  'fieldManager',
  'propagationPolicy',
  'gracePeriodSeconds',
  'orphanDependents',
  'force',
  'pretty',
  'includeObject',
];
const SELECTOR_TOKENS = ['a', 'app', 'x.y/z', 'metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', '=', '==', '!=', ' in ', ' notin ', '(', ')', ',', '!', ' ', '-', '\\', '', 'a'.repeat(70), 'fuzz', 'Running'];
const selector = fc.array(fc.constantFrom(...SELECTOR_TOKENS), { maxLength: 8 }).map((t) => t.join(''));
const queryValue = fc.oneof(
  selector,
  fc.constantFrom('', 'true', 'false', 'All', 'Strict', 'Ignore', 'Warn', 'Orphan', 'Foreground', 'Background', '0', '-1', '1', '1.5', '1e3', 'abc', '99999999999999999999', '-99999999999999999999', 'NotOlderThan', 'Exact'),
  fc.base64String({ maxLength: 40 }),
  fc.string({ maxLength: 20 }),
);
const acceptHeader = fc.oneof(
  fc.constantFrom(
    TABLE_ACCEPT,
    'application/json;as=Table;v=v1;g=meta.k8s.io',
    'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    'application/vnd.kubernetes.protobuf',
    'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json',
    '*/*',
    '',
    'text/html',
    'application/yaml',
    ';;;',
    'application/json;q=0',
    'application/json;as=',
  ),
  fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

/** A DeleteOptions body with garbage in each field (or garbage instead of one). */
const deleteOptionsBody = fc.oneof(
  fc.record(
    {
      kind: fc.constantFrom('DeleteOptions', 'Pod', 1),
      apiVersion: fc.constantFrom('v1', 'meta.k8s.io/v1', 'x'),
      gracePeriodSeconds: fc.oneof(weirdNumber, hostile),
      propagationPolicy: fc.oneof(fc.constantFrom('Orphan', 'Foreground', 'Background'), hostile),
      orphanDependents: hostile,
      preconditions: fc.oneof(fc.record({ uid: hostile, resourceVersion: hostile }), hostile),
      dryRun: fc.oneof(fc.constant(['All']), hostile),
    },
    { requiredKeys: [] },
  ),
  hostile,
);
const rawQuery = fc.constantFrom('%', '%zz', '&&==&', 'a[]=1&a[]=2', 'labelSelector=%E0%A4%A', 'limit=1&limit=abc', 'watch&timeoutSeconds=1', '=x', 'a=b=c', 'labelSelector=' + 'a'.repeat(10000), 'fieldSelector=%00');

const segment = fc.oneof(
  fc.constantFrom('namespaces', 'fuzz', 'default', 'pods', 'deployments', 'configmaps', 'services', 'status', 'scale', 'finalize', 'binding', 'log', 'exec', 'watch', 'nodes', 'namespaces', 'proxy', 'eviction'),
  fc.constantFrom('..', '.', '', '%', '%zz', '%2F', '%2e%2e', '%00', '%C0%AF', '%E0%A4%A', '~', 'a'.repeat(300), 'b'.repeat(5000), 'c'.repeat(20_000), ';', '@', ':'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeURIComponent),
);

/** A protobuf runtime.Unknown with random type meta and raw bytes, magic prefix included. */
const protobufUnknown = fc
  .record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'x', ''),
    kind: fc.constantFrom('ConfigMap', 'Secret', 'Namespace', 'SelfSubjectAccessReview', 'ServiceAccount', 'Pod', ''),
    raw: fc.uint8Array({ maxLength: 48 }),
    encoding: fc.constantFrom('', '', 'gzip'),
  })
  .map(({ apiVersion, kind, raw, encoding }) => {
    const field = (n: number, bytes: Uint8Array) => Buffer.concat([Buffer.from([(n << 3) | 2]), varint(bytes.length), Buffer.from(bytes)]);
    const meta = Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))]);
    return Buffer.concat([Buffer.from('k8s\0'), field(1, meta), field(2, raw), ...(encoding ? [field(3, Buffer.from(encoding))] : [])]);
  });

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
