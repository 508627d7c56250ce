/**
 * A real `tug agent` on a real `tug server`, driven by real kubectl 1.33: the node registers and
 * keeps its lease, and pods run as Docker containers with their limits, probes, restarts, init
 * containers, graceful termination, adoption after an agent restart, and pod-to-pod networking.
 */
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectl, kubectlBinary, kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { freePort, startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
/** The article's image name, built locally (no registry is reachable). */
const MODEL_IMAGE = 'myregistry/model-server:v2.1.0';

let server: TugServer;
let agent: TugAgent;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });

function pod(name: string, spec: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
spec:
  nodeName: ${agent.nodeName}
  terminationGracePeriodSeconds: 5
${spec}`;
}

async function podJson(name: string): Promise<any> {
  return JSON.parse(await k('get', 'pod', name, '-o', 'json'));
}

async function waitForPod(name: string, what: string, cond: (p: any) => boolean, timeoutMs = 60_000): Promise<any> {
  let last: any;
  await waitFor(
    async () => {
      last = await podJson(name).catch(() => undefined);
      return last !== undefined && cond(last);
    },
    `${name} ${what}`,
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}\nagent log tail: ${agent.logs().slice(-3000)}`);
  });
  return last;
}

const ready = (p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const running = (p: any) => p.status?.phase === 'Running' && ready(p);

beforeAll(async () => {
  const docker = new Docker();
  await buildBusyboxImage(docker, IMAGE);
  await docker.getImage(IMAGE).tag({ repo: 'myregistry/model-server', tag: 'v2.1.0' });
  server = await startTugServer();
  agent = await startTugAgent(server);
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
}, 180_000);

describe('node registration', () => {
  it('the node is Ready with capacity, labels and addresses, and renews its lease', async () => {
    await waitFor(async () => /\sReady\s/.test(await k('get', 'node', agent.nodeName)), 'node Ready', 60_000);
    const node = JSON.parse(await k('get', 'node', agent.nodeName, '-o', 'json'));
    expect(node.metadata.labels['kubernetes.io/hostname']).toBe(agent.nodeName);
    expect(node.metadata.labels['kubernetes.io/os']).toBe('linux');
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.capacity.pods).toBe('110');
    expect(node.status.capacity.memory).toMatch(/^\d+Ki$/);
    expect(node.spec.podCIDR).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\//);
    expect(node.status.conditions.map((c: any) => c.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    const lease = JSON.parse(await k('get', 'lease', agent.nodeName, '-n', 'kube-node-lease', '-o', 'json'));
    expect(lease.spec.holderIdentity).toBe(agent.nodeName);
    const first = lease.spec.renewTime;
    await waitFor(async () => JSON.parse(await k('get', 'lease', agent.nodeName, '-n', 'kube-node-lease', '-o', 'json')).spec.renewTime !== first, 'lease renewed', 15_000);
  }, 90_000);
});

describe('pods', () => {
  it("runs the article's model-server shape with its cgroup limits", async () => {
    await apply(
      pod(
        'model-server',
        `  containers:
  - name: model-server
    image: ${MODEL_IMAGE}
    command: ["sh", "-c", "echo serving; exec sleep 3600"]
    resources:
      requests: {memory: "32Mi", cpu: "250m"}
      limits: {memory: "64Mi", cpu: "500m"}
`,
      ),
    );
    const p = await waitForPod('model-server', 'Running', running);
    expect(p.status.qosClass).toBe('Burstable');
    expect(p.status.podIP).toMatch(/^10\.244\./);
    expect(await k('get', 'pod', 'model-server')).toMatch(/^model-server\s+1\/1\s+Running\s+0\s+/m);
    expect((await k('exec', 'model-server', '--', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes')).trim()).toBe(String(64 * 1024 * 1024));
    expect((await k('exec', 'model-server', '--', 'cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us')).trim()).toBe('50000');
    expect(await k('logs', 'model-server')).toBe('serving\n');
  }, 90_000);

  it('reports OOMKilled for a container past its memory limit, then restarts it', async () => {
    await apply(
      pod(
        'hungry',
        `  containers:
  - name: hungry
    image: ${IMAGE}
    command: ["sh", "-c", "sleep 1; x=$(yes | head -c 200000000); sleep 3600"]
    resources:
      limits: {memory: "32Mi"}
`,
      ),
    );
    const p = await waitForPod('hungry', 'restarted after OOM', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    const last = p.status.containerStatuses[0].lastState.terminated;
    expect(last.reason).toBe('OOMKilled');
    expect(last.exitCode).toBe(137);
    expect(await k('describe', 'pod', 'hungry')).toMatch(/Reason:\s+OOMKilled/);
  }, 90_000);

  it('backs off a crashing container into CrashLoopBackOff; logs --previous shows the crashed run', async () => {
    await apply(pod('crasher', `  containers:\n  - name: crasher\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo attempt; exit 2"]\n`));
    const p = await waitForPod('crasher', 'in CrashLoopBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(p.status.containerStatuses[0].lastState.terminated.exitCode).toBe(2);
    expect(await k('get', 'pod', 'crasher')).toMatch(/^crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/m);
    expect(await k('logs', 'crasher', '--previous')).toBe('attempt\n');
    const events = await k('get', 'events', '--field-selector', 'involvedObject.name=crasher');
    expect(events).toMatch(/BackOff/);
  }, 90_000);

  it('runs init containers in order before the app; a failing one blocks the pod', async () => {
    await apply(
      pod(
        'ordered',
        `  volumes: [{name: shared, emptyDir: {}}]
  initContainers:
  - {name: first, image: ${IMAGE}, command: ["sh", "-c", "echo first >> /shared/order"], volumeMounts: [{name: shared, mountPath: /shared}]}
  - {name: second, image: ${IMAGE}, command: ["sh", "-c", "echo second >> /shared/order"], volumeMounts: [{name: shared, mountPath: /shared}]}
  containers:
  - {name: app, image: ${IMAGE}, command: ["sh", "-c", "cat /shared/order; exec sleep 3600"], volumeMounts: [{name: shared, mountPath: /shared}]}
`,
      ),
    );
    await waitForPod('ordered', 'Running', running);
    expect(await k('logs', 'ordered', '-c', 'app')).toBe('first\nsecond\n');
    await apply(
      pod(
        'blocked',
        `  restartPolicy: Never
  initContainers:
  - {name: fails, image: ${IMAGE}, command: ["sh", "-c", "exit 1"]}
  containers:
  - {name: app, image: ${IMAGE}, command: ["sleep", "3600"]}
`,
      ),
    );
    const p = await waitForPod('blocked', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(p.status.containerStatuses[0].state.running).toBeUndefined();
    expect(await k('get', 'pod', 'blocked')).toMatch(/Init:Error/);
  }, 90_000);

  it('readiness failing takes Ready away without a restart; liveness failing restarts; a startup probe protects a slow start', async () => {
    await apply(
      pod(
        'probed',
        `  containers:
  - name: app
    image: ${IMAGE}
    command: ["sh", "-c", "touch /tmp/ready /tmp/alive; exec sleep 3600"]
    readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1, failureThreshold: 1}
    livenessProbe: {exec: {command: ["cat", "/tmp/alive"]}, periodSeconds: 1, failureThreshold: 2}
`,
      ),
    );
    await waitForPod('probed', 'Ready', running);
    await k('exec', 'probed', '--', 'rm', '/tmp/ready');
    let p = await waitForPod('probed', 'not Ready', (p) => !ready(p), 15_000);
    expect(p.status.containerStatuses[0].restartCount).toBe(0);
    await k('exec', 'probed', '--', 'rm', '/tmp/alive');
    p = await waitForPod('probed', 'restarted by liveness', (p) => p.status?.containerStatuses?.[0]?.restartCount >= 1, 30_000);
    expect(await k('describe', 'pod', 'probed')).toMatch(/Liveness probe failed/);

    await apply(
      pod(
        'slow-start',
        `  containers:
  - name: app
    image: ${IMAGE}
    command: ["sh", "-c", "sleep 4; touch /tmp/started; exec sleep 3600"]
    startupProbe: {exec: {command: ["cat", "/tmp/started"]}, periodSeconds: 1, failureThreshold: 10}
    livenessProbe: {exec: {command: ["cat", "/tmp/started"]}, periodSeconds: 1, failureThreshold: 1}
`,
      ),
    );
    p = await waitForPod('slow-start', 'Running', running, 30_000);
    expect(p.status.containerStatuses[0].restartCount).toBe(0);
  }, 120_000);

  it('delete sends SIGTERM, waits for the grace period, then SIGKILL', async () => {
    await apply(
      pod(
        'graceful',
        `  containers:
  - name: app
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'echo got TERM; sleep 2; exit 0' TERM; while true; do sleep 0.2; done"]
`,
      ),
    );
    await waitForPod('graceful', 'Running', running);
    let t = Date.now();
    await k('delete', 'pod', 'graceful', '--wait=true');
    const trapped = Date.now() - t;
    // The trap ran (it takes 2 s) and the pod went before its 5 s grace period ended.
    expect(trapped).toBeGreaterThanOrEqual(2000);
    expect(trapped).toBeLessThan(5000 + 3000);

    await apply(pod('stubborn', `  containers:\n  - name: app\n    image: ${IMAGE}\n    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]\n`));
    await waitForPod('stubborn', 'Running', running);
    t = Date.now();
    await k('delete', 'pod', 'stubborn', '--wait=true');
    // Ignoring SIGTERM, it lives until SIGKILL at the end of the 5 s grace period.
    expect(Date.now() - t).toBeGreaterThanOrEqual(4500);
  }, 90_000);

  it('pods on one node reach each other by pod IP', async () => {
    await apply(pod('web', `  containers:\n  - name: web\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo hello-from-web > /www/index.html; exec httpd -f -p 8080 -h /www"]\n    volumeMounts: [{name: www, mountPath: /www}]\n  volumes: [{name: www, emptyDir: {}}]\n`));
    const web = await waitForPod('web', 'Running', running);
    await apply(pod('client', `  containers:\n  - name: client\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n`));
    await waitForPod('client', 'Running', running);
    expect(await k('exec', 'client', '--', 'wget', '-qO-', `http://${web.status.podIP}:8080/`)).toBe('hello-from-web\n');
    // The host reaches pods too.
    expect(await (await fetch(`http://${web.status.podIP}:8080/`)).text()).toBe('hello-from-web\n');
  }, 90_000);

  it('logs -f follows and port-forward serves, through the API server and the agent', async () => {
    await apply(pod('ticker', `  containers:\n  - name: ticker\n    image: ${IMAGE}\n    command: ["sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done"]\n`));
    await waitForPod('ticker', 'Running', running);
    let out = '';
    const follow = spawn(kubectlBinary(), ['--kubeconfig', server.kubeconfig, 'logs', '-f', 'ticker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    follow.stdout.on('data', (c) => (out += c));
    try {
      // Lines written after kubectl started arrive while it runs.
      await waitFor(() => /tick-12/.test(out), 'followed log lines', 15_000);
    } finally {
      follow.kill('SIGKILL');
    }
    const local = await freePort();
    const pf = spawn(kubectlBinary(), ['--kubeconfig', server.kubeconfig, 'port-forward', 'pod/web', `${local}:8080`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pfOut = '';
    pf.stdout.on('data', (c) => (pfOut += c));
    try {
      await waitFor(() => pfOut.includes('Forwarding from'), 'port-forward ready', 15_000);
      for (let i = 0; i < 2; i++) expect(await (await fetch(`http://127.0.0.1:${local}/`)).text()).toBe('hello-from-web\n');
    } finally {
      pf.kill('SIGKILL');
    }
  }, 60_000);

  it('an agent killed with SIGKILL and started again adopts its running containers', async () => {
    const before = await podJson('model-server');
    await agent.restart({ hard: true });
    await new Promise((r) => setTimeout(r, 3000));
    const after = await waitForPod('model-server', 'Running', running);
    expect(after.status.containerStatuses[0].containerID).toBe(before.status.containerStatuses[0].containerID);
    expect(after.status.containerStatuses[0].restartCount).toBe(before.status.containerStatuses[0].restartCount);
  }, 90_000);

  it('yaml output of a running pod shows the kubelet-set status fields', async () => {
    const p = parseYaml(await k('get', 'pod', 'model-server', '-o', 'yaml'));
    expect(p.status.hostIP).toBe('127.0.0.1');
    expect(p.status.startTime).toBeTruthy();
    expect(p.status.containerStatuses[0].containerID).toMatch(/^docker:\/\//);
    expect(p.status.containerStatuses[0].imageID).toBeTruthy();
    expect(p.status.conditions.map((c: any) => c.type)).toEqual(expect.arrayContaining(['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']));
    const r = await kubectl(server.kubeconfig, ['logs', 'model-server', '-c', 'nope']);
    expect(r.code).not.toBe(0);
  });
});
