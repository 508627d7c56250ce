/**
 * Three nodes end to end (`tug cluster create --nodes 3`: Docker-in-Docker node containers on one
 * Docker network, agents joined with a bootstrap token, host-gw routes between them), driven by
 * kubectl 1.33: replicas spread over the nodes and reach each other across nodes by IP and by
 * Service name, NodePort answers on every node, a stopped node's pods come back elsewhere and the
 * node rejoins without duplicates, the control plane killed mid-rollout loses nothing, a restarted
 * agent restarts no container, and a node's credential cannot touch another node's pods.
 * Slow (a few minutes): it stops a node for longer than the 40 s heartbeat grace period.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { createCluster, deleteCluster, type TugCluster } from './harness/cluster.js';
import { kubectl, kubectlOk } from './harness/kubectl.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
const NAME = `mn-${randomBytes(3).toString('hex')}`;

let cluster: TugCluster | undefined;
const k = (...args: string[]) => kubectlOk(cluster!.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(cluster!.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const json = async (...args: string[]) => JSON.parse(await k(...args, '-o', 'json'));
const workerNames = () => cluster!.nodes.filter((n) => n.role === 'worker').map((n) => n.name);

/** Pods of `app` that are not terminating. */
async function activePods(app: string): Promise<any[]> {
  return (await json('get', 'pods', '-l', `app=${app}`)).items.filter((p: any) => !p.metadata.deletionTimestamp);
}
const isReady = (p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ?? false;

function web(name: string, replicas: number, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
${extra}      containers:
      - name: web
        image: ${IMAGE}
        command: ["sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        resources: {requests: {cpu: 10m, memory: 16Mi}}
`;
}

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  cluster = await createCluster(NAME, 3);
  await cluster.loadImage(IMAGE);
}, 600_000);

afterAll(async () => {
  if (cluster) await cluster.delete();
  else await deleteCluster(NAME);
}, 180_000);

describe('three nodes', () => {
  it('spreads 6 replicas over all nodes; every pod reaches every other by IP and the Service by name', async () => {
    const spread = `      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
`;
    await apply(web('web', 6, spread));
    await k('expose', 'deployment', 'web', '--port=80', '--target-port=8080');
    await k('rollout', 'status', 'deployment/web', '--timeout=120s');
    const pods = await activePods('web');
    expect(new Set(pods.map((p) => p.spec.nodeName))).toEqual(new Set(cluster!.nodes.map((n) => n.name)));

    const ips = pods.map((p) => p.status.podIP);
    for (const pod of pods) {
      const others = ips.filter((ip) => ip !== pod.status.podIP);
      const script = [...others.map((ip) => `timeout 5 wget -qO- http://${ip}:8080/`), 'timeout 5 wget -qO- http://web.default.svc.cluster.local/'].join('; ');
      const r = await kubectl(cluster!.kubeconfig, ['exec', pod.metadata.name, '--', 'sh', '-c', script]);
      const answers = r.stdout.split('\n').filter(Boolean);
      // Each answer is the serving pod's name: five peers by IP, then one through the Service.
      expect(answers, `${pod.metadata.name} on ${pod.spec.nodeName}: ${r.stderr}`).toHaveLength(6);
      expect(answers.slice(0, 5).sort()).toEqual(pods.filter((p) => p !== pod).map((p) => p.metadata.name).sort());
      expect(pods.map((p) => p.metadata.name)).toContain(answers[5]);
    }
  }, 240_000);

  it('a NodePort answers on every node address', async () => {
    await k('expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080');
    const nodePort = await k('get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    for (const node of cluster!.nodes) {
      await waitFor(async () => (await fetch(`http://${node.ip}:${nodePort}/`).then((r) => r.text(), () => '')).startsWith('web-'), `NodePort on ${node.name}`, 15_000);
    }
  }, 60_000);

  it("a node's credential cannot change another node's pods (403)", async () => {
    const [a, b] = workerNames() as [string, string];
    const token = (await cluster!.exec(a, 'cat /var/lib/tugboat/agent/node.token')).trim();
    const onB = (await activePods('web')).find((p) => p.spec.nodeName === b)!;
    const server = JSON.parse(await k('config', 'view', '--minify', '--raw', '-o', 'json')).clusters[0].cluster.server;
    const r = await kubectl(cluster!.kubeconfig, ['--token', token, '--server', server, 'label', 'pod', onB.metadata.name, 'stolen=yes']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`pods "${onB.metadata.name}" is forbidden: User "system:node:${a}"`);
  }, 60_000);

  it('a restarted agent restarts no container', async () => {
    const worker = workerNames()[0]!;
    const before = (await activePods('web')).filter((p) => p.spec.nodeName === worker);
    const ids = (pods: any[]) => pods.map((p) => `${p.metadata.name} ${p.status.containerStatuses[0].containerID} ${p.status.containerStatuses[0].restartCount}`).sort();
    await cluster!.exec(worker, 'pkill -TERM -f "[t]ug.js agent"');
    await waitFor(async () => (await cluster!.logs(worker, 'agent')).split('"agent running"').length > 2, 'agent running again', 60_000);
    await waitFor(async () => / Ready /.test(await k('get', 'node', worker)), 'node Ready', 60_000);
    const after = (await activePods('web')).filter((p) => p.spec.nodeName === worker);
    expect(ids(after)).toEqual(ids(before));
  }, 120_000);

  it('the control plane killed in the middle of a rolling update of 10 replicas comes back: the rollout completes, nothing is lost, never more than 12 pods', async () => {
    const cp = cluster!.nodes[0]!.name;
    for (let i = 0; i < 20; i++) await k('create', 'configmap', `keep-${i}`, `--from-literal=i=${i}`);
    await apply(web('roll', 10));
    await k('rollout', 'status', 'deployment/roll', '--timeout=120s');
    let maxActive = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const r = await kubectl(cluster!.kubeconfig, ['get', 'pods', '-l', 'app=roll', '-o', 'json']);
        if (r.code === 0) maxActive = Math.max(maxActive, JSON.parse(r.stdout).items.filter((p: any) => !p.metadata.deletionTimestamp).length);
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    try {
      await k('set', 'env', 'deployment/roll', 'VERSION=2');
      await waitFor(async () => (await activePods('roll')).some((p) => p.spec.containers[0].env?.length), 'rollout under way', 30_000);
      await cluster!.exec(cp, 'pkill -KILL -f "[t]ug.js server"');
      // The node's supervisor starts it again after a second.
      await waitFor(async () => (await kubectl(cluster!.kubeconfig, ['get', '--raw', '/readyz'])).stdout === 'ok', 'server back', 60_000);
      const r = await kubectl(cluster!.kubeconfig, ['rollout', 'status', 'deployment/roll', '--timeout=180s'], { timeoutMs: 200_000 });
      expect(r.stdout).toContain('deployment "roll" successfully rolled out');
    } finally {
      polling = false;
      await poll;
    }
    expect(maxActive).toBeLessThanOrEqual(12);
    const pods = await activePods('roll');
    expect(pods).toHaveLength(10);
    expect(pods.every((p) => p.spec.containers[0].env?.[0]?.value === '2' && isReady(p))).toBe(true);
    const kept = (await json('get', 'configmaps')).items.map((c: any) => c.metadata.name).filter((n: string) => n.startsWith('keep-'));
    expect(kept).toHaveLength(20);
    await k('delete', 'deployment', 'roll');
  }, 360_000);

  it('a stopped node turns NotReady, its pods run on the other nodes, and started again it rejoins without duplicates', async () => {
    const tolerations = `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
`;
    await apply(web('survivor', 3, tolerations + `      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: survivor}}}
`));
    await k('rollout', 'status', 'deployment/survivor', '--timeout=120s');
    const victim = workerNames()[1]!;
    const onVictim = (await activePods('survivor')).filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    expect(onVictim.length).toBeGreaterThan(0);

    execFileSync('docker', ['stop', '--time', '2', victim], { stdio: 'ignore' });
    const stopped = Date.now();
    await waitFor(async () => / NotReady /.test(await k('get', 'node', victim)), 'node NotReady', 70_000);
    // 40 s grace from the last heartbeat (renewed every 10 s), checked every few seconds.
    expect(Date.now() - stopped).toBeLessThan(55_000);
    await waitFor(async () => {
      const pods = await activePods('survivor');
      return pods.length === 3 && pods.every((p) => p.spec.nodeName !== victim && isReady(p));
    }, 'pods Ready on the other nodes', 90_000);

    execFileSync('docker', ['start', victim], { stdio: 'ignore' });
    await waitFor(async () => / Ready /.test(await k('get', 'node', victim)), 'node Ready again', 90_000);
    await waitFor(async () => {
      const names = (await json('get', 'pods', '-l', 'app=survivor')).items.map((p: any) => p.metadata.name);
      return names.length === 3 && !onVictim.some((n) => names.includes(n));
    }, 'evicted pods gone', 90_000);
    // No container of an evicted pod runs on the node that came back.
    await waitFor(async () => !onVictim.some((n) => ''.concat(execFileSync('docker', ['exec', victim, 'docker', 'ps', '--format', '{{.Names}}'], { encoding: 'utf8' })).includes(n)), 'old containers removed', 60_000);
    expect((await activePods('survivor')).filter(isReady)).toHaveLength(3);
  }, 360_000);
});
