/**
 * Services end to end: a real `tug server` (scheduler, Deployment and EndpointSlice controllers,
 * a LoadBalancer pool) and a real `tug agent` (pods in Docker, the iptables service proxy, the
 * node's DNS server), driven by kubectl 1.33. Pods find the model server by name, its ClusterIP
 * balances over the ready replicas, and NodePort, LoadBalancer, ExternalName, headless Services and
 * port-forward to a Service behave as on Kubernetes.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../agent/runtime/docker/images.js';
import { kubectl, kubectlBinary, kubectlOk } from './harness/kubectl.js';
import { startTugAgent, type TugAgent } from './harness/tug-agent.js';
import { freePort, startTugServer, type TugServer } from './harness/tug-server.js';
import { waitFor } from './harness/wait.js';

const IMAGE = 'tugboat/busybox:test';
const MODEL_IMAGE = 'myregistry/model-server:v2.1.0';
/** Documentation addresses (RFC 5737): nothing real answers there. */
const LB_POOL = '192.0.2.240-192.0.2.250';

let server: TugServer;
let agent: TugAgent;
const k = (...args: string[]) => kubectlOk(server.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(server.kubeconfig, ['apply', '-f', '-'], { input: yaml });
const inClient = (...cmd: string[]) => kubectl(server.kubeconfig, ['exec', '-n', 'ml-production', 'client', '--', ...cmd]);

const MODEL_SERVER = `apiVersion: apps/v1
kind: Deployment
metadata: {name: model-server, namespace: ml-production}
spec:
  replicas: 3
  selector: {matchLabels: {app: model-server}}
  template:
    metadata: {labels: {app: model-server}}
    spec:
      containers:
      - name: model-server
        image: ${MODEL_IMAGE}
        command: ["sh", "-c", "mkdir -p /www; hostname > /www/index.html; touch /tmp/ready; exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1, failureThreshold: 1}
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: model-server, namespace: ml-production}
spec:
  selector: {app: model-server}
  ports: [{name: http, port: 80, targetPort: http}]
`;

beforeAll(async () => {
  const docker = new Docker();
  await buildBusyboxImage(docker, IMAGE);
  await docker.getImage(IMAGE).tag({ repo: 'myregistry/model-server', tag: 'v2.1.0' });
  // Listening on every address (not only loopback), so that the kubernetes Service's endpoint, the host address, answers pods.
  server = await startTugServer({ extraArgs: ['--load-balancer-pool', LB_POOL, '--bind', '0.0.0.0'] });
  agent = await startTugAgent(server);
  await k('create', 'namespace', 'ml-production');
  await apply(MODEL_SERVER);
  await apply(`apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ml-production}
spec:
  containers: [{name: client, image: ${IMAGE}, command: ["sleep", "3600"]}]
`);
  await waitFor(async () => /^deployment "model-server" successfully rolled out/m.test((await kubectl(server.kubeconfig, ['rollout', 'status', '-n', 'ml-production', 'deploy/model-server', '--timeout=5s'])).stdout), 'model-server rolled out', 120_000);
  await waitFor(async () => (await kubectl(server.kubeconfig, ['get', 'pod', '-n', 'ml-production', 'client', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 'client Running', 60_000);
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
}, 180_000);

async function readyPods(): Promise<string[]> {
  const out = await k('get', 'pods', '-n', 'ml-production', '-l', 'app=model-server', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
  return out.split('\n').filter((l) => l.endsWith(' True')).map((l) => l.split(' ')[0]!);
}

/** `count` requests from the client pod to `url`, each answered with the serving pod's name. */
async function hits(url: string, count: number): Promise<Map<string, number>> {
  const r = await inClient('sh', '-c', `for i in $(seq ${count}); do wget -qO- ${url}; done`);
  const seen = new Map<string, number>();
  for (const name of r.stdout.split('\n').filter(Boolean)) seen.set(name, (seen.get(name) ?? 0) + 1);
  return seen;
}

describe('ClusterIP and DNS', () => {
  it('the model server answers by name, and every ready replica serves some of 200 requests', async () => {
    const ready = await readyPods();
    expect(ready).toHaveLength(3);
    const seen = await hits('http://model-server.ml-production.svc.cluster.local/', 200);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(200);
    expect([...seen.keys()].sort()).toEqual(ready.sort());
    // The short name works through the pod's search path.
    expect((await inClient('wget', '-qO-', 'http://model-server/')).stdout.trim()).toMatch(/^model-server-/);
  }, 120_000);

  it('a pod whose readiness fails stops getting traffic within a probe period and a second', async () => {
    const [victim] = await readyPods();
    await k('exec', '-n', 'ml-production', victim!, '--', 'rm', '/tmp/ready');
    // One probe period (1 s) plus one second after readiness is lost, the Service sends it nothing.
    await new Promise((r) => setTimeout(r, 2000));
    const seen = await hits('http://model-server.ml-production.svc.cluster.local/', 60);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(60);
    expect(seen.has(victim!)).toBe(false);
    expect(await readyPods()).not.toContain(victim);
    await k('exec', '-n', 'ml-production', victim!, '--', 'touch', '/tmp/ready');
    await waitFor(async () => (await readyPods()).includes(victim!), 'victim ready again', 10_000);
  }, 60_000);

  it('a headless Service lists the pod IPs; an ExternalName Service is a CNAME', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: model-headless, namespace: ml-production}
spec:
  clusterIP: None
  selector: {app: model-server}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: docs, namespace: ml-production}
spec:
  type: ExternalName
  externalName: model-server.ml-production.svc.cluster.local
`);
    const ips = (await k('get', 'pods', '-n', 'ml-production', '-l', 'app=model-server', '-o', 'jsonpath={.items[*].status.podIP}')).split(' ').sort();
    await waitFor(async () => {
      const out = (await inClient('nslookup', 'model-headless.ml-production.svc.cluster.local')).stdout;
      return ips.every((ip) => out.includes(ip));
    }, 'headless answers', 15_000);
    const cname = (await inClient('nslookup', '-type=CNAME', 'docs.ml-production.svc.cluster.local')).stdout;
    expect(cname).toContain('canonical name = model-server.ml-production.svc.cluster.local');
  }, 60_000);
});

describe('traffic from outside', () => {
  it('NodePort answers on the node address from the host; a LoadBalancer gets an address from the pool', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: model-nodeport, namespace: ml-production}
spec:
  type: NodePort
  selector: {app: model-server}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: model-lb, namespace: ml-production}
spec:
  type: LoadBalancer
  selector: {app: model-server}
  ports: [{port: 80, targetPort: 8080}]
`);
    const nodePort = await k('get', 'svc', '-n', 'ml-production', 'model-nodeport', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    const nodeIP = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' }).split('\n').map((l) => /inet (\S+)\//.exec(l)?.[1]).find(Boolean)!;
    await waitFor(async () => (await fetch(`http://${nodeIP}:${nodePort}/`).then((r) => r.text(), () => '')).startsWith('model-server-'), 'NodePort answers', 15_000);
    await waitFor(async () => /192\.0\.2\.24\d|192\.0\.2\.250/.test(await k('get', 'svc', '-n', 'ml-production', 'model-lb')), 'LoadBalancer address', 15_000);
    const lbIP = await k('get', 'svc', '-n', 'ml-production', 'model-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}');
    // The pool address answers on the node (traffic to it is caught by the proxy's rules).
    expect((await inClient('wget', '-qO-', `http://${lbIP}/`)).stdout).toMatch(/^model-server-/);
  }, 60_000);

  it('a Service without ready endpoints refuses at once; a deleted Service leaves no rule', async () => {
    await apply(`apiVersion: v1
kind: Service
metadata: {name: nobody-home, namespace: ml-production}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
`);
    const ip = await k('get', 'svc', '-n', 'ml-production', 'nobody-home', '-o', 'jsonpath={.spec.clusterIP}');
    await waitFor(async () => execFileSync('iptables-save', { encoding: 'utf8' }).includes(ip), 'reject rule', 10_000);
    const t = Date.now();
    const r = await inClient('sh', '-c', `wget -qO- http://${ip}/ 2>&1; echo exit=$?`);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.stdout).toMatch(/refused/i);
    await k('delete', 'svc', '-n', 'ml-production', 'nobody-home');
    await waitFor(async () => !execFileSync('iptables-save', { encoding: 'utf8' }).includes(ip), 'rules gone', 10_000);
  }, 60_000);

  it.each(['svc/model-server 80', 'deployment/model-server 8080'])('kubectl port-forward %s serves requests', async (target) => {
    const [resource, port] = target.split(' ');
    const local = await freePort();
    const pf = spawn(kubectlBinary(), ['--kubeconfig', server.kubeconfig, 'port-forward', '-n', 'ml-production', resource!, `${local}:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    pf.stdout.on('data', (c) => (out += c));
    try {
      await waitFor(() => out.includes('Forwarding from'), 'port-forward ready', 15_000);
      for (let i = 0; i < 3; i++) expect(await (await fetch(`http://127.0.0.1:${local}/`)).text()).toMatch(/^model-server-/);
    } finally {
      pf.kill('SIGKILL');
    }
  }, 60_000);

  it('the kubernetes Service resolves in pods and reaches the API server', async () => {
    const ip = await k('get', 'svc', '-n', 'default', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
    expect((await inClient('nslookup', 'kubernetes.default.svc.cluster.local')).stdout).toContain(ip);
    // The API server's TLS port answers through the Service (busybox's TLS client shares no cipher with it, so TCP only).
    const r = await inClient('sh', '-c', 'nc -w 2 kubernetes.default.svc 443 </dev/null && echo connected');
    expect(r.stdout.trim(), r.stderr).toBe('connected');
  }, 60_000);
});
