/**
 * Real kubectl 1.33 against a real `tug server` on a real redis-server: the everyday commands on
 * the article's manifests behave as on Kubernetes.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kubectl, kubectlBinary, kubectlOk } from './harness/kubectl.js';
import { startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const MANIFESTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'manifests');
const manifest = (name: string) => path.join(MANIFESTS, name);

let server: TugServer;
let tmp: string;
let kc: string;
const k = (...args: string[]) => kubectlOk(kc, args);

beforeAll(async () => {
  server = await startTugServer();
  kc = server.kubeconfig;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tug-kubectl-'));
});

afterAll(async () => {
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('discovery and cluster info', () => {
  it('kubectl version shows the server version', async () => {
    const out = await k('version', '-o', 'json');
    const v = JSON.parse(out);
    expect(v.serverVersion.major).toBe('1');
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.33\.0-tugboat/);
  });

  it('kubectl api-resources lists the core and apps kinds with short names', async () => {
    const out = await k('api-resources');
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(out).toMatch(/^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
    expect(out).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  it('kubectl cluster-info names the control plane', async () => {
    const out = await k('cluster-info');
    expect(out).toContain(`Kubernetes control plane is running at ${server.url}`);
  });

  it('the system namespaces exist', async () => {
    const out = await k('get', 'namespaces');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(out).toMatch(new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
  });

  it('refuses a request without credentials (401)', async () => {
    const r = await kubectl(kc, ['get', 'pods', '--token', 'abcdef.0123456789abcdef0123456789abcdef']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|must be logged in/);
  });
});

describe("the article's manifests", () => {
  it('apply -f creates every object, and they are stored as sent', async () => {
    expect(await k('apply', '-f', manifest('namespace.yaml'))).toContain('namespace/ml-production created');
    await k('create', 'namespace', 'ml-training');
    const out = await k('apply', '-f', manifest('configmap.yaml'), '-f', manifest('secret.yaml'), '-f', manifest('deployment.yaml'), '-f', manifest('rbac.yaml'), '-f', manifest('hpa.yaml'), '-f', manifest('storage.yaml'));
    for (const line of [
      'configmap/model-server-config created',
      'secret/ml-database-credentials created',
      'deployment.apps/model-server created',
      'role.rbac.authorization.k8s.io/model-deployer created',
      'rolebinding.rbac.authorization.k8s.io/ml-engineer-model-deployer created',
      'serviceaccount/model-server-sa created',
      'horizontalpodautoscaler.autoscaling/model-server-hpa created',
      'storageclass.storage.k8s.io/gp3-encrypted created',
      'persistentvolumeclaim/model-checkpoint-storage created',
    ]) {
      expect(out).toContain(line);
    }
    const cm = JSON.parse(await k('get', 'configmap', 'model-server-config', '-n', 'ml-production', '-o', 'json'));
    expect(cm.data.BATCH_SIZE).toBe('32');
    expect(cm.data['feature_store_config.yaml']).toContain('connection_pool_size: 10');
    const secret = JSON.parse(await k('get', 'secret', 'ml-database-credentials', '-n', 'ml-production', '-o', 'json'));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('supersecret');
    const hpa = JSON.parse(await k('get', 'hpa', 'model-server-hpa', '-n', 'ml-production', '-o', 'json'));
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(70);
    const pvc = JSON.parse(await k('get', 'pvc', 'model-checkpoint-storage', '-n', 'ml-training', '-o', 'json'));
    expect(pvc.spec.resources.requests.storage).toBe('100Gi');
    expect(pvc.status.phase).toBe('Pending');
  });

  it('shows upstream defaults in -o yaml', async () => {
    const d = parseYaml(await k('get', 'deploy', 'model-server', '-n', 'ml-production', '-o', 'yaml'));
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    const pod = d.spec.template.spec;
    expect(pod.restartPolicy).toBe('Always');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.dnsPolicy).toBe('ClusterFirst');
    expect(pod.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.containers[0].terminationMessagePath).toBe('/dev/termination-log');
  });

  it('get prints upstream columns, -o wide adds the wide ones, -A adds NAMESPACE', async () => {
    const out = await k('get', 'deploy', '-n', 'ml-production');
    expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(out).toMatch(/^model-server\s+0\/5\s+\d\s+0\s+\d+s$/m);
    const wide = await k('get', 'deploy', '-n', 'ml-production', '-o', 'wide');
    expect(wide.split('\n')[0]).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(wide).toContain('myregistry/model-server:v2.1.0');
    expect(wide).toContain('app=model-server');
    const all = await k('get', 'cm', '-A');
    expect(all).toMatch(/^ml-production\s+model-server-config\s+4\s+/m);
  });

  it('re-applying a changed image bumps generation; an unchanged re-apply changes nothing', async () => {
    const original = await readFile(manifest('deployment.yaml'), 'utf8');
    const changed = path.join(tmp, 'deployment-v2.yaml');
    await writeFile(changed, original.replace('model-server:v2.1.0', 'model-server:v2.2.0'));
    expect(await k('apply', '-f', changed)).toContain('deployment.apps/model-server configured');
    const d = JSON.parse(await k('get', 'deploy', 'model-server', '-n', 'ml-production', '-o', 'json'));
    expect(d.metadata.generation).toBe(2);
    expect(d.spec.template.spec.containers[0].image).toBe('myregistry/model-server:v2.2.0');
    expect(await k('apply', '-f', changed)).toContain('deployment.apps/model-server unchanged');
    // The controller writes status meanwhile; the desired state stays as it was.
    const again = JSON.parse(await k('get', 'deploy', 'model-server', '-n', 'ml-production', '-o', 'json'));
    expect(again.metadata.generation).toBe(2);
    expect(again.spec).toEqual(d.spec);
  });

  it('describe shows the object in kubectl describe form', async () => {
    const out = await k('describe', 'deploy', 'model-server', '-n', 'ml-production');
    expect(out).toMatch(/^Name:\s+model-server$/m);
    expect(out).toMatch(/^Namespace:\s+ml-production$/m);
    expect(out).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(out).toMatch(/^RollingUpdateStrategy:\s+0 max unavailable, 2 max surge$/m);
    expect(out).toMatch(/Limits:\s+cpu:\s+4\s+memory:\s+16Gi/);
  });

  it('delete -f removes what apply created', async () => {
    const out = await k('delete', '-f', manifest('rbac.yaml'));
    expect(out).toContain('role.rbac.authorization.k8s.io "model-deployer" deleted');
    expect(out).toContain('serviceaccount "model-server-sa" deleted');
    const r = await kubectl(kc, ['get', 'role', 'model-deployer', '-n', 'ml-production']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): roles.rbac.authorization.k8s.io "model-deployer" not found');
  });
});

describe('everyday commands', () => {
  it('apply --server-side creates, then updates with managedFields for the manager', async () => {
    const file = path.join(tmp, 'ssa.yaml');
    const doc = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa-web
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ssa-web}
  template:
    metadata:
      labels: {app: ssa-web}
    spec:
      containers:
      - name: web
        image: busybox:latest
`;
    await writeFile(file, doc(2));
    expect(await k('apply', '--server-side', '-f', file)).toContain('deployment.apps/ssa-web serverside-applied');
    await writeFile(file, doc(3));
    expect(await k('apply', '--server-side', '-f', file)).toContain('deployment.apps/ssa-web serverside-applied');
    const d = JSON.parse(await k('get', 'deploy', 'ssa-web', '-o', 'json', '--show-managed-fields'));
    expect(d.spec.replicas).toBe(3);
    const mf = d.metadata.managedFields.find((m: any) => m.manager === 'kubectl' && m.operation === 'Apply');
    expect(mf.fieldsV1['f:spec']['f:replicas']).toEqual({});
  });

  it('create configmap|secret generic|namespace work (protobuf bodies)', async () => {
    expect(await k('create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two')).toContain('configmap/cfg created');
    expect(await k('create', 'secret', 'generic', 'creds', '--from-literal=user=admin')).toContain('secret/creds created');
    expect(await k('create', 'namespace', 'team-a')).toContain('namespace/team-a created');
    const cm = JSON.parse(await k('get', 'cm', 'cfg', '-o', 'json'));
    expect(cm.data).toEqual({ a: '1', b: 'two' });
    const s = JSON.parse(await k('get', 'secret', 'creds', '-o', 'json'));
    expect(s.type).toBe('Opaque');
    expect(Buffer.from(s.data.user, 'base64').toString()).toBe('admin');
    expect(await k('get', 'secret', 'creds')).toMatch(/^creds\s+Opaque\s+1\s+/m);
  });

  it('auth can-i answers', async () => {
    expect((await k('auth', 'can-i', 'create', 'pods')).trim()).toBe('yes');
  });

  it('label and annotate change metadata only', async () => {
    expect(await k('label', 'cm', 'cfg', 'tier=backend')).toContain('configmap/cfg labeled');
    expect(await k('annotate', 'cm', 'cfg', 'owner=ml-team')).toContain('configmap/cfg annotated');
    expect(await k('get', 'cm', '-l', 'tier=backend', '-o', 'name')).toBe('configmap/cfg\n');
    expect(await k('get', 'cm', '-l', 'tier!=backend', '-o', 'name')).not.toContain('configmap/cfg');
    const cm = JSON.parse(await k('get', 'cm', 'cfg', '-o', 'json'));
    expect(cm.metadata.annotations.owner).toBe('ml-team');
    const r = await kubectl(kc, ['label', 'cm', 'cfg', 'bad key=x']);
    expect(r.code).not.toBe(0);
  });

  it('edit with EDITOR set to a script saves the change', async () => {
    const editor = path.join(tmp, 'editor.sh');
    await writeFile(editor, `#!/bin/sh\nsed -i 's/b: two/b: three/' "$1"\n`);
    await chmod(editor, 0o755);
    const out = await kubectlOk(kc, ['edit', 'cm', 'cfg'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    expect(out).toContain('configmap/cfg edited');
    const cm = JSON.parse(await k('get', 'cm', 'cfg', '-o', 'json'));
    expect(cm.data.b).toBe('three');
  });

  it('refuses invalid objects with the field named (422) and unknown fields under Strict (400)', async () => {
    const bad = path.join(tmp, 'bad.yaml');
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\ndata: {a: "1"}\n');
    let r = await kubectl(kc, ['apply', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\nbogus: 1\ndata: {a: "1"}\n');
    r = await kubectl(kc, ['apply', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown field "bogus"');
  });

  it('pods print upstream columns, -o wide too; generateName names objects', async () => {
    const file = path.join(tmp, 'pod.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: worker-\nspec:\n  containers:\n  - name: main\n    image: busybox\n');
    const created = await k('create', '-f', file);
    expect(created).toMatch(/^pod\/worker-[bcdfghjklmnpqrstvwxz2456789]{5} created$/m);
    const out = await k('get', 'pods');
    expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(out).toMatch(/^worker-\w{5}\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const wide = await k('get', 'pods', '-o', 'wide');
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(await k('describe', 'pod', created.trim().split(' ')[0]!.split('/')[1]!)).toMatch(/^QoS Class:\s+BestEffort$/m);
  });

  it('admits pods as upstream: priority from the PriorityClass, default NoExecute tolerations, missing class refused', async () => {
    expect(await k('get', 'priorityclass')).toMatch(/^system-node-critical\s+2000001000\s+false/m);
    await kubectlOk(kc, ['apply', '-f', '-'], { input: 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch-high}\nvalue: 1000\n' });
    const file = path.join(tmp, 'prio.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: prio}\nspec:\n  priorityClassName: batch-high\n  containers: [{name: main, image: busybox}]\n');
    await k('create', '-f', file);
    const pod = JSON.parse(await k('get', 'pod', 'prio', '-o', 'json'));
    expect(pod.spec.priority).toBe(1000);
    expect(pod.spec.tolerations).toEqual(
      expect.arrayContaining([
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ]),
    );
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: prio-missing}\nspec:\n  priorityClassName: nope\n  containers: [{name: main, image: busybox}]\n');
    const r = await kubectl(kc, ['create', '-f', file]);
    expect(r.stderr).toContain('Error from server (Forbidden): error when creating');
    expect(r.stderr).toContain('no PriorityClass with name nope was found');
  });

  it('delete --all removes a whole collection', async () => {
    await k('create', 'configmap', 'bulk-1', '--from-literal=a=1');
    await k('create', 'configmap', 'bulk-2', '--from-literal=a=1');
    await k('label', 'cm', 'bulk-1', 'bulk-2', 'batch=yes');
    const out = await k('delete', 'cm', '-l', 'batch=yes');
    expect(out).toContain('configmap "bulk-1" deleted');
    expect(out).toContain('configmap "bulk-2" deleted');
    expect(await k('get', 'cm', '-l', 'batch=yes', '-o', 'name')).toBe('');
  });

  it('get -w streams changes as they happen', async () => {
    const proc = spawn(kubectlBinary(), ['--kubeconfig', kc, 'get', 'configmaps', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    try {
      await waitFor(() => out.includes('cfg'));
      await k('create', 'configmap', 'watched', '--from-literal=x=1');
      await waitFor(() => /ADDED\s+watched/.test(out));
      await k('delete', 'configmap', 'watched');
      await waitFor(() => /DELETED\s+watched/.test(out));
    } finally {
      proc.kill('SIGKILL');
    }
    expect(out.split('\n')[0]).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE$/);
  });

  it('deleting a namespace removes its content, then the namespace', async () => {
    await k('create', 'configmap', 'inside', '-n', 'team-a', '--from-literal=a=1');
    expect(await k('delete', 'namespace', 'team-a', '--timeout=30s')).toContain('namespace "team-a" deleted');
    const r = await kubectl(kc, ['get', 'namespace', 'team-a']);
    expect(r.stderr).toContain('namespaces "team-a" not found');
    const r2 = await kubectl(kc, ['create', 'configmap', 'late', '-n', 'team-a', '--from-literal=a=1']);
    expect(r2.stderr).toContain('namespaces "team-a" not found');
  });
});
