/**
 * Real kubectl 1.33's typed `create` subcommands (and `autoscale`) against a real `tug server`:
 * they POST protobuf bodies (application/vnd.kubernetes.protobuf), and the stored objects are
 * what the same commands describe as JSON. Only the namespace and nodeipam controllers run, so
 * nothing but the API server touches the objects.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from './harness/kubectl.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const NS = 'create-e2e';

let server: TugServer;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const get = async (...args: string[]) => JSON.parse(await k('-n', NS, 'get', ...args, '-o', 'json'));
/** Creates in the test namespace; expects kubectl's "<kind>/<name> created" line. */
async function create(created: string, ...args: string[]): Promise<void> {
  expect(await k('-n', NS, ...args)).toContain(`${created} created`);
}

beforeAll(async () => {
  server = await startTugServer({ extraArgs: ['--controllers', 'namespace,nodeipam'] });
  await k('create', 'namespace', NS);
});

afterAll(async () => {
  await server?.stop();
});

describe('workloads', () => {
  it('create deployment with --replicas, --port and a command', async () => {
    await create('deployment.apps/web', 'create', 'deployment', 'web', '--image=tugboat/busybox:test', '--replicas=2', '--port=8080', '--', 'sleep', '3600');
    const d = await get('deployment', 'web');
    expect(d.metadata.labels).toEqual({ app: 'web' });
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web' });
    const [c, ...more] = d.spec.template.spec.containers;
    expect(more).toEqual([]);
    expect(c).toMatchObject({ name: 'busybox', image: 'tugboat/busybox:test', command: ['sleep', '3600'], ports: [{ containerPort: 8080, protocol: 'TCP' }] });
    expect(c.args).toBeUndefined();
  });

  it('keeps explicit zero replicas (a pointer field) instead of defaulting them', async () => {
    await create('deployment.apps/idle', 'create', 'deployment', 'idle', '--image=tugboat/busybox:test', '--replicas=0');
    expect((await get('deployment', 'idle')).spec.replicas).toBe(0);
  });

  it('create job with a command', async () => {
    await create('job.batch/once', 'create', 'job', 'once', '--image=tugboat/busybox:test', '--', 'echo', 'hi');
    const job = await get('job', 'once');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers).toEqual([expect.objectContaining({ name: 'once', image: 'tugboat/busybox:test', command: ['echo', 'hi'] })]);
  });

  it('create cronjob with a schedule, restart policy and command', async () => {
    await create('cronjob.batch/nightly', 'create', 'cronjob', 'nightly', '--image=tugboat/busybox:test', '--schedule=0 3 * * *', '--restart=OnFailure', '--', 'date');
    const cj = await get('cronjob', 'nightly');
    expect(cj.spec.schedule).toBe('0 3 * * *');
    expect(cj.spec.jobTemplate.metadata.name).toBe('nightly');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(pod.containers).toEqual([expect.objectContaining({ name: 'nightly', image: 'tugboat/busybox:test', command: ['date'] })]);
  });

  it("create job --from=cronjob copies the CronJob's whole job template, field for field", async () => {
    expect(await k('-n', NS, 'apply', '-f', path.join(TESTDATA, 'cronjob-every-field.yaml'))).toContain('cronjob.batch/every-field created');
    await create('job.batch/manual-run', 'create', 'job', 'manual-run', '--from=cronjob/every-field');
    const cj = await get('cronjob', 'every-field');
    const job = await get('job', 'manual-run');
    const want = cj.spec.jobTemplate.spec;

    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'every-field', uid: cj.metadata.uid, controller: true }]);
    expect(job.metadata.annotations).toEqual({ ...cj.spec.jobTemplate.metadata.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect(job.metadata.labels).toEqual(cj.spec.jobTemplate.metadata.labels);

    // The pod template arrives whole; the server only adds the job's own labels to it.
    expect(job.spec.template.spec).toEqual(want.template.spec);
    expect(job.spec.template.metadata.annotations).toEqual(want.template.metadata.annotations);
    const jobLabels = ['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name'];
    expect(Object.fromEntries(Object.entries(job.spec.template.metadata.labels).filter(([key]) => !jobLabels.includes(key)))).toEqual(want.template.metadata.labels);
    for (const [field, value] of Object.entries(want)) {
      if (field !== 'template') expect(job.spec[field], `spec.${field}`).toEqual(value);
    }

    // Spot checks of what the decoder must get right: pointer zeros, IntOrStrings, quantities.
    const pod = job.spec.template.spec;
    expect(job.spec).toMatchObject({ backoffLimitPerIndex: 0, ttlSecondsAfterFinished: 0 });
    expect(pod.tolerations[0].tolerationSeconds).toBe(0);
    expect(pod.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(pod.containers[0].livenessProbe.httpGet.port).toBe('http');
    expect(pod.containers[0].readinessProbe.tcpSocket.port).toBe(8080);
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '1', memory: '128Mi' } });
    expect(pod.volumes.find((v: any) => v.name === 'config').configMap).toEqual({
      name: 'settings',
      defaultMode: 0o440,
      optional: true,
      items: [{ key: 'level', path: 'level.txt', mode: 0o400 }],
    });
  });

  it('autoscale creates an autoscaling/v2 HorizontalPodAutoscaler', async () => {
    expect(await k('-n', NS, 'autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70')).toContain('horizontalpodautoscaler.autoscaling/web autoscaled');
    const hpa = await get('hpa', 'web');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
  });
});

describe('services', () => {
  it('create service clusterip with ports', async () => {
    await create('service/api', 'create', 'service', 'clusterip', 'api', '--tcp=80:8080', '--tcp=443');
    const svc = await get('service', 'api');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toEqual({ app: 'api' });
    expect(svc.spec.clusterIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(svc.spec.ports).toEqual([
      { name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: '443', port: 443, targetPort: 443, protocol: 'TCP' },
    ]);
  });

  it('create service clusterip --clusterip=None makes a headless service', async () => {
    await create('service/peers', 'create', 'service', 'clusterip', 'peers', '--clusterip=None');
    const svc = await get('service', 'peers');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toBeUndefined();
  });

  it('create service nodeport with a fixed node port', async () => {
    await create('service/edge', 'create', 'service', 'nodeport', 'edge', '--tcp=80:8080', '--node-port=30080');
    const svc = await get('service', 'edge');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.ports).toEqual([{ name: '80-8080', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }]);
  });

  it('create service loadbalancer', async () => {
    await create('service/public', 'create', 'service', 'loadbalancer', 'public', '--tcp=443:8443');
    const svc = await get('service', 'public');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: '443-8443', port: 443, targetPort: 8443, protocol: 'TCP', nodePort: expect.any(Number) })]);
  });

  it('create service externalname', async () => {
    await create('service/upstream', 'create', 'service', 'externalname', 'upstream', '--external-name=example.com');
    const svc = await get('service', 'upstream');
    expect(svc.spec).toMatchObject({ type: 'ExternalName', externalName: 'example.com' });
    expect(svc.spec.clusterIP ?? '').toBe('');
  });

  it('create ingress with rules, TLS, a class and a default backend', async () => {
    await create(
      'ingress.networking.k8s.io/site',
      'create',
      'ingress',
      'site',
      '--class=nginx',
      '--rule=foo.example/bar*=api:8080,tls=site-tls',
      '--rule=/=web:http',
      '--default-backend=fallback:80',
      '--annotation=example.com/owner=team-a',
    );
    const ing = await get('ingress', 'site');
    expect(ing.metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      tls: [{ hosts: ['foo.example'], secretName: 'site-tls' }],
      rules: [
        { host: 'foo.example', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } }] } },
        { http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
      ],
    });
  });
});

describe('policy, scheduling and access', () => {
  it('create priorityclass, including value 0', async () => {
    expect(await k('create', 'priorityclass', 'batch-high', '--value=1000', '--description=batch work', '--preemption-policy=Never')).toContain('priorityclass.scheduling.k8s.io/batch-high created');
    expect(await k('create', 'priorityclass', 'batch-zero', '--value=0')).toContain('priorityclass.scheduling.k8s.io/batch-zero created');
    const pc = JSON.parse(await k('get', 'priorityclass', 'batch-high', '-o', 'json'));
    expect(pc).toMatchObject({ value: 1000, description: 'batch work', preemptionPolicy: 'Never' });
    expect(JSON.parse(await k('get', 'priorityclass', 'batch-zero', '-o', 'json')).value).toBe(0);
  });

  it('create quota with hard limits and scopes', async () => {
    await create('resourcequota/compute', 'create', 'quota', 'compute', '--hard=cpu=1,memory=1Gi,pods=2', '--scopes=BestEffort');
    expect((await get('quota', 'compute')).spec).toEqual({ hard: { cpu: '1', memory: '1Gi', pods: '2' }, scopes: ['BestEffort'] });
  });

  it('create poddisruptionbudget with a percentage and with a number', async () => {
    await create('poddisruptionbudget.policy/half', 'create', 'poddisruptionbudget', 'half', '--selector=app=web', '--min-available=50%');
    await create('poddisruptionbudget.policy/one', 'create', 'poddisruptionbudget', 'one', '--selector=app=web', '--max-unavailable=1');
    expect((await get('pdb', 'half')).spec).toEqual({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
    expect((await get('pdb', 'one')).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } });
  });

  it('create role and rolebinding', async () => {
    await create('role.rbac.authorization.k8s.io/reader', 'create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=web');
    await create('rolebinding.rbac.authorization.k8s.io/read-web', 'create', 'rolebinding', 'read-web', '--role=reader', '--user=bob', '--group=devs', `--serviceaccount=${NS}:default`);
    expect((await get('role', 'reader')).rules).toEqual([
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    ]);
    const rb = await get('rolebinding', 'read-web');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    expect(rb.subjects).toMatchObject([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      { kind: 'ServiceAccount', name: 'default', namespace: NS },
    ]);
  });

  it('create clusterrole (rules, non-resource URLs, aggregation) and clusterrolebinding', async () => {
    expect(await k('create', 'clusterrole', 'pod-reader', '--verb=get,watch', '--resource=pods')).toContain('clusterrole.rbac.authorization.k8s.io/pod-reader created');
    expect(await k('create', 'clusterrole', 'health', '--verb=get', '--non-resource-url=/healthz')).toContain('clusterrole.rbac.authorization.k8s.io/health created');
    expect(await k('create', 'clusterrole', 'aggregate', '--aggregation-rule=example.com/aggregate=true')).toContain('clusterrole.rbac.authorization.k8s.io/aggregate created');
    expect(await k('create', 'clusterrolebinding', 'pod-readers', '--clusterrole=pod-reader', '--user=alice')).toContain('clusterrolebinding.rbac.authorization.k8s.io/pod-readers created');
    const cr = (name: string) => k('get', 'clusterrole', name, '-o', 'json').then(JSON.parse);
    expect((await cr('pod-reader')).rules).toEqual([{ verbs: ['get', 'watch'], apiGroups: [''], resources: ['pods'] }]);
    expect((await cr('health')).rules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
    expect((await cr('aggregate')).aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate': 'true' } }] });
    const crb = JSON.parse(await k('get', 'clusterrolebinding', 'pod-readers', '-o', 'json'));
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' });
    expect(crb.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }]);
  });
});
