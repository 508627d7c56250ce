// The pod manager against real Docker, real CNI (tug-bridge), real cgroups and a real API server:
// pods bound to the test node run, report status and events as upstream's kubelet does, and go
// away cleanly.
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../control-plane/api/registry.js';
import { podDir } from '../volumes/volume-manager.js';
import { BUSYBOX, condition, containerStatus, podsResource, sleep, startNodeHarness, type NodeHarness } from './testing/harness.js';

const configmaps = RESOURCES.find((r) => r.plural === 'configmaps')!;
const secrets = RESOURCES.find((r) => r.plural === 'secrets')!;

let h: NodeHarness;
let hostDir: string;

beforeAll(async () => {
  h = await startNodeHarness({ backoff: { initialMs: 1000, maxMs: 4000 } });
  hostDir = await mkdtemp(path.join(os.tmpdir(), 'tug-hostpath-'));
});

afterAll(async () => {
  await h?.close();
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

const ready = (name: string) => (p: Pod) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'True' && containerStatus(p, name)?.ready === true;
const waiting = (container: string, reason: string) => (p: Pod) => containerStatus(p, container)?.state?.waiting?.reason === reason;

async function exec(pod: Pod, container: string, script: string): Promise<string> {
  const found = await h.manager.containerFor(pod.metadata!.namespace!, pod.metadata!.name!, container, false);
  const r = await h.runtime.execSync(found!.containerId, ['sh', '-c', script], 10);
  if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

async function logsOf(containerId: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await h.runtime.logs(containerId, { follow: false, timestamps: false })) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

async function eventLines(pod: string): Promise<string[]> {
  return (await h.events(pod)).map((e) => `${e.type} ${e.reason}: ${e.message}`);
}

const sleeper = (name: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1, ...extra },
});

describe('running pods', () => {
  it('runs the model-server shape: Running 1/1 with the limits in its cgroups', async () => {
    await h.createPod({
      metadata: { name: 'model-server' },
      spec: {
        containers: [
          { name: 'model-server', image: BUSYBOX, command: ['sleep', '3600'], resources: { requests: { memory: '8Gi', cpu: '2' }, limits: { memory: '16Gi', cpu: '4' } } },
        ],
        terminationGracePeriodSeconds: 1,
      },
    });
    const pod = await h.waitPod('model-server', ready('model-server'), 30_000, 'Running and Ready');
    expect(pod.status).toMatchObject({ qosClass: 'Burstable', podIP: expect.stringMatching(/^10\.254\./), startTime: expect.any(String) });
    const status = containerStatus(pod, 'model-server')!;
    expect(status).toMatchObject({ restartCount: 0, started: true, image: BUSYBOX, containerID: expect.stringMatching(/^docker:\/\/[0-9a-f]{64}$/) });
    expect(Object.keys(status.state!)).toEqual(['running']);
    expect(pod.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    // cgroup v1 files as the container sees them: memory limit, CFS quota, shares from the request.
    expect((await exec(pod, 'model-server', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes')).trim()).toBe(String(16 * 1024 ** 3));
    expect((await exec(pod, 'model-server', 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none')).trim()).toMatch(new RegExp(`^(${16 * 1024 ** 3}|none)$`));
    expect((await exec(pod, 'model-server', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us')).trim()).toBe('400000');
    expect((await exec(pod, 'model-server', 'cat /sys/fs/cgroup/cpu/cpu.cfs_period_us')).trim()).toBe('100000');
    expect((await exec(pod, 'model-server', 'cat /sys/fs/cgroup/cpu/cpu.shares')).trim()).toBe('2048');
    // The pod-level cgroup carries the pod's limits.
    const uid = pod.metadata!.uid!;
    expect((await readFile(`/sys/fs/cgroup/cpu/tugpods/burstable/pod${uid}/cpu.cfs_quota_us`, 'utf8')).trim()).toBe('400000');
    expect((await readFile(`/sys/fs/cgroup/memory/tugpods/burstable/pod${uid}/memory.limit_in_bytes`, 'utf8')).trim()).toBe(String(16 * 1024 ** 3));
    expect(await eventLines('model-server')).toEqual(
      expect.arrayContaining([
        `Normal Pulled: Container image "${BUSYBOX}" already present on machine`,
        'Normal Created: Created container: model-server',
        'Normal Started: Started container model-server',
      ]),
    );
    const started = (await h.events('model-server')).find((e) => e.reason === 'Started');
    expect(started.involvedObject).toMatchObject({ kind: 'Pod', name: 'model-server', fieldPath: 'spec.containers{model-server}' });
    expect(started.source).toEqual({ component: 'kubelet', host: h.nodeName });
    expect(h.manager.runningPods()).toBeGreaterThanOrEqual(1);
  });

  it('gives containers their env, command expansion, volumes, hostname and /etc/hosts', async () => {
    await h.client.create(configmaps, h.namespace, { metadata: { name: 'cm1' }, data: { greeting: 'hello', 'config.yaml': 'a: 1\n' } });
    await h.client.create(secrets, h.namespace, { metadata: { name: 's1' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await h.createPod({
      metadata: { name: 'config-pod', labels: { app: 'cfg' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'echo "$(GREETING) world" > /tmp/cmd; exec sleep 3600'],
            workingDir: '/scratch',
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'greeting' } } },
              { name: 'MSG', value: '$(GREETING)-$(UNDEFINED)-$$(ESC)' },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's1', key: 'password' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'LABEL_APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'OPTIONAL', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
            ],
            envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm1' } }],
            resources: { limits: { memory: '64Mi', cpu: '500m' } },
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'cfg', mountPath: '/etc/greeting', subPath: 'greeting' },
              { name: 'sec', mountPath: '/etc/sec' },
              { name: 'info', mountPath: '/etc/info' },
              { name: 'scratch', mountPath: '/scratch' },
              { name: 'mem', mountPath: '/mem' },
              { name: 'proj', mountPath: '/etc/proj' },
              { name: 'host', mountPath: '/host' },
              { name: 'scratch', mountPath: '/sub', subPathExpr: '$(POD_NAME)' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'cm1', items: [{ key: 'config.yaml', path: 'sub/config.yaml', mode: 0o600 }, { key: 'greeting', path: 'greeting' }] } },
          { name: 'sec', secret: { secretName: 's1', defaultMode: 0o400 } },
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'cpu', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
              ],
            },
          },
          { name: 'scratch', emptyDir: {} },
          { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          {
            name: 'proj',
            projected: {
              sources: [
                { configMap: { name: 'cm1', items: [{ key: 'greeting', path: 'g' }] } },
                { secret: { name: 's1' } },
                { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
              ],
            },
          },
          { name: 'host', hostPath: { path: path.join(hostDir, 'made'), type: 'DirectoryOrCreate' } },
        ],
      },
    });
    const pod = await h.waitPod('config-pod', ready('main'));
    const ip = pod.status!.podIP!;
    const sh = (script: string) => exec(pod, 'main', script);
    expect((await sh('echo "$GREETING|$MSG|$PASSWORD|$POD_NAME|$POD_IP|$NODE|$LABEL_APP|$MEM_MI|${OPTIONAL-unset}|$CM_greeting"')).trim()).toBe(
      `hello|hello-$(UNDEFINED)-$(ESC)|s3cret|config-pod|${ip}|${h.nodeName}|cfg|64|unset|hello`,
    );
    expect(await sh('cat /tmp/cmd; pwd')).toBe('hello world\n/scratch\n');
    expect(await sh('cat /etc/cfg/sub/config.yaml /etc/cfg/greeting /etc/greeting')).toBe('a: 1\nhellohello');
    expect((await sh('stat -L -c %a /etc/cfg/sub/config.yaml /etc/sec/password')).split('\n')).toEqual(['600', '400', '']);
    expect((await sh('ls -A /etc/cfg')).split('\n').filter((l) => !l.startsWith('..2'))).toEqual(['..data', 'greeting', 'sub', '']);
    expect(await sh('cat /etc/sec/password; echo; cat /etc/info/labels; echo; cat /etc/info/name /etc/info/cpu')).toBe('s3cret\napp="cfg"\nconfig-pod500');
    expect(await sh('cat /etc/proj/g /etc/proj/password /etc/proj/ns')).toBe('hellos3cretdefault');
    const mounts = await sh('cat /proc/mounts');
    expect(mounts).toMatch(/^tmpfs \/etc\/sec tmpfs ro/m);
    expect(mounts).toMatch(/^tmpfs \/mem tmpfs rw.*size=16384k/m);
    expect(mounts).toMatch(/ \/etc\/cfg \S+ ro,/m);
    await expect(sh('touch /etc/cfg/x')).rejects.toThrow(/Read-only/);
    await sh('echo from-pod > /host/file; echo sub > /sub/f');
    expect(await readFile(path.join(hostDir, 'made', 'file'), 'utf8')).toBe('from-pod\n');
    expect(await sh('cat /scratch/config-pod/f')).toBe('sub\n');
    expect(await sh('hostname')).toBe('config-pod\n');
    expect(await sh('cat /etc/hosts')).toMatch(new RegExp(`^# Kubernetes-managed hosts file\\.\\n127\\.0\\.0\\.1\\tlocalhost\\n[^]*^${ip.replace(/\./g, '\\.')}\\tconfig-pod$`, 'm'));

    // ConfigMap changes reach the mounted files (not the subPath mount, as upstream).
    await h.client.patch(configmaps, h.namespace, 'cm1', 'merge', { data: { greeting: 'hi' } });
    const deadline = Date.now() + 15_000;
    while ((await sh('cat /etc/cfg/greeting')) !== 'hi' && Date.now() < deadline) await sleep(200);
    expect(await sh('cat /etc/cfg/greeting /etc/proj/g /etc/greeting')).toBe('hihihello');
  });

  it('waits with FailedMount for a missing ConfigMap, then starts once it exists', async () => {
    await h.createPod(sleeper('late-config', { volumes: [{ name: 'late', configMap: { name: 'late' } }], containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'late', mountPath: '/late' }] }] }));
    const pending = await h.waitPod('late-config', (p) => (p.status?.conditions?.length ?? 0) > 0);
    expect(pending.status?.phase).toBe('Pending');
    expect(containerStatus(pending, 'main')?.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    await expect.poll(() => eventLines('late-config'), { timeout: 10_000 }).toContain('Warning FailedMount: MountVolume.SetUp failed for volume "late" : configmap "late" not found');
    await h.client.create(configmaps, h.namespace, { metadata: { name: 'late' }, data: { k: 'v' } });
    const pod = await h.waitPod('late-config', ready('main'));
    expect(await exec(pod, 'main', 'cat /late/k')).toBe('v');
  });

  it('reports CreateContainerConfigError for a missing key and missing images as ErrImageNeverPull / ErrImagePull then ImagePullBackOff', async () => {
    await h.createPod({
      metadata: { name: 'bad-config' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'missing-key', image: BUSYBOX, command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'nope' } } }] },
          { name: 'never', image: 'tugboat/absent:never', imagePullPolicy: 'Never' },
          { name: 'unpullable', image: '127.0.0.1:1/tugboat/absent:x', imagePullPolicy: 'IfNotPresent' },
        ],
      },
    });
    const pod = await h.waitPod('bad-config', (p) => waiting('missing-key', 'CreateContainerConfigError')(p) && waiting('never', 'ErrImageNeverPull')(p) && /ErrImagePull|ImagePullBackOff/.test(containerStatus(p, 'unpullable')?.state?.waiting?.reason ?? ''));
    expect(containerStatus(pod, 'missing-key')!.state!.waiting!.message).toBe(`couldn't find key nope in ConfigMap ${h.namespace}/cm1`);
    expect(containerStatus(pod, 'never')!.state!.waiting!.message).toBe('Container image "tugboat/absent:never" is not present with pull policy of Never');
    expect(pod.status!.phase).toBe('Pending');
    await h.waitPod('bad-config', waiting('unpullable', 'ImagePullBackOff'), 15_000, 'ImagePullBackOff');
    const events = await eventLines('bad-config');
    expect(events).toEqual(
      expect.arrayContaining([
        `Warning Failed: Error: couldn't find key nope in ConfigMap ${h.namespace}/cm1`,
        'Warning ErrImageNeverPull: Container image "tugboat/absent:never" is not present with pull policy of Never',
        'Normal Pulling: Pulling image "127.0.0.1:1/tugboat/absent:x"',
        'Warning Failed: Error: ErrImagePull',
        'Normal BackOff: Back-off pulling image "127.0.0.1:1/tugboat/absent:x"',
        'Warning Failed: Error: ImagePullBackOff',
      ]),
    );
    expect(events.some((e) => e.startsWith('Warning Failed: Failed to pull image "127.0.0.1:1/tugboat/absent:x": '))).toBe(true);
  });

  it('runs init containers in order before the app, and keeps the pod Pending while one fails', async () => {
    const script = (name: string) => `echo ${name} $(cut -d' ' -f1 /proc/uptime) >> /work/order`;
    await h.createPod({
      metadata: { name: 'inits' },
      spec: {
        terminationGracePeriodSeconds: 1,
        initContainers: [
          { name: 'first', image: BUSYBOX, command: ['sh', '-c', `${script('first')}; sleep 1`], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          { name: 'second', image: BUSYBOX, command: ['sh', '-c', script('second')], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', `${script('main')}; exec sleep 3600`], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        volumes: [{ name: 'work', emptyDir: {} }],
      },
    });
    const pod = await h.waitPod('inits', ready('main'));
    const order = (await exec(pod, 'main', 'cat /work/order')).trim().split('\n').map((l) => l.split(' '));
    expect(order.map((l) => l[0])).toEqual(['first', 'second', 'main']);
    expect(Number(order[1]![1]) - Number(order[0]![1])).toBeGreaterThan(0.9);
    expect(pod.status!.initContainerStatuses!.map((s) => [s.name, s.ready, s.state?.terminated?.reason, s.state?.terminated?.exitCode])).toEqual([
      ['first', true, 'Completed', 0],
      ['second', true, 'Completed', 0],
    ]);
    const fieldPaths = (await h.events('inits')).filter((e) => e.reason === 'Started').map((e) => e.involvedObject.fieldPath);
    expect(fieldPaths).toEqual(['spec.initContainers{first}', 'spec.initContainers{second}', 'spec.containers{main}']);

    await h.createPod({
      metadata: { name: 'init-fails' },
      spec: {
        terminationGracePeriodSeconds: 1,
        initContainers: [{ name: 'fail', image: BUSYBOX, command: ['sh', '-c', 'exit 3'] }],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }],
      },
    });
    const blocked = await h.waitPod('init-fails', (p) => (containerStatus(p, 'fail')?.restartCount ?? 0) >= 2, 20_000, 'init retried');
    expect(blocked.status!.phase).toBe('Pending');
    expect(containerStatus(blocked, 'main')!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(blocked.status!.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [fail]' });
    expect(containerStatus(blocked, 'fail')!.lastState?.terminated?.exitCode ?? containerStatus(blocked, 'fail')!.state?.terminated?.exitCode).toBe(3);

    await h.createPod({
      metadata: { name: 'init-fails-never' },
      spec: {
        restartPolicy: 'Never',
        initContainers: [{ name: 'fail', image: BUSYBOX, command: ['sh', '-c', 'exit 3'] }],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }],
      },
    });
    const failed = await h.waitPod('init-fails-never', (p) => p.status?.phase === 'Failed', 20_000, 'Failed');
    expect(containerStatus(failed, 'fail')!).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } });
    expect(containerStatus(failed, 'main')!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });

  it('completes pods per restartPolicy with termination messages', async () => {
    await h.createPod({
      metadata: { name: 'done' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'ok', image: BUSYBOX, command: ['sh', '-c', 'echo all good > /dev/termination-log'] },
          { name: 'bad', image: BUSYBOX, command: ['sh', '-c', 'echo from-the-log; exit 2'], terminationMessagePolicy: 'FallbackToLogsOnError' },
          { name: 'custom', image: BUSYBOX, command: ['sh', '-c', 'echo custom > /tmp/msg'], terminationMessagePath: '/tmp/msg' },
        ],
      },
    });
    const pod = await h.waitPod('done', (p) => p.status?.phase === 'Failed', 20_000, 'Failed');
    expect(containerStatus(pod, 'ok')!.state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', message: 'all good\n' });
    expect(containerStatus(pod, 'bad')!.state!.terminated).toMatchObject({ exitCode: 2, reason: 'Error', message: 'from-the-log\n' });
    expect(containerStatus(pod, 'custom')!.state!.terminated).toMatchObject({ exitCode: 0, message: 'custom\n' });
    expect(condition(pod, 'Ready')).toBe('False');
    expect(pod.status!.conditions!.find((c) => c.type === 'Ready')!.reason).toBe('PodFailed');

    await h.createPod({ metadata: { name: 'succeeds' }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: BUSYBOX, command: ['true'] }] } });
    const ok = await h.waitPod('succeeds', (p) => p.status?.phase === 'Succeeded', 20_000, 'Succeeded');
    expect(containerStatus(ok, 'main')!.restartCount).toBe(0);
    // The finished pod's sandbox is stopped and its network released.
    const sandboxes = await h.runtime.listPodSandboxes(ok.metadata!.uid!);
    await expect.poll(async () => (await h.runtime.listPodSandboxes(ok.metadata!.uid!)).map((s) => s.state)).toEqual(sandboxes.map(() => 'notready'));
  });

  it('reaches CrashLoopBackOff with growing delays and keeps the previous run for logs', async () => {
    await h.createPod({ metadata: { name: 'crasher' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'echo "run at $(cut -d" " -f1 /proc/uptime)"; exit 1'] }] } });
    // When each restart count is first seen.
    const seen = new Map<number, number>();
    let sawBackOff = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !seen.has(4)) {
      const p = await h.getPod('crasher');
      const s = containerStatus(p, 'main');
      if (s && !seen.has(s.restartCount)) seen.set(s.restartCount, Date.now());
      sawBackOff ||= s?.state?.waiting?.reason === 'CrashLoopBackOff';
      await sleep(50);
    }
    const gap = (n: number) => seen.get(n)! - seen.get(n - 1)!;
    expect(seen.has(4)).toBe(true);
    expect(sawBackOff).toBe(true);
    // Restart 1 comes at once; 2 after 1 s; 3 after 2 s; 4 after 4 s (the test's back-off; plus run and sync time).
    expect(gap(2)).toBeGreaterThanOrEqual(900);
    expect(gap(3)).toBeGreaterThanOrEqual(1900);
    expect(gap(4)).toBeGreaterThanOrEqual(3900);
    expect(gap(3)).toBeGreaterThan(gap(2));

    const current = await h.waitPod('crasher', waiting('main', 'CrashLoopBackOff'), 10_000, 'CrashLoopBackOff');
    expect(current.status!.phase).toBe('Running');
    const status = containerStatus(current, 'main')!;
    expect(status.state!.waiting!.message).toMatch(new RegExp(`^back-off \\ds restarting failed container=main pod=crasher_${h.namespace}\\(${current.metadata!.uid}\\)$`));
    expect(status.lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    // `kubectl logs --previous` reads the last finished run.
    const previous = await h.manager.containerFor(h.namespace, 'crasher', 'main', true);
    expect(previous?.containerId).toBe(status.lastState!.terminated!.containerID!.replace('docker://', ''));
    expect(await logsOf(previous!.containerId)).toMatch(/^run at [\d.]+\n$/);
    // Old runs are collected: the newest two stay.
    expect((await h.runtime.listContainers(current.metadata!.uid!)).length).toBeLessThanOrEqual(2);
    expect(await eventLines('crasher')).toContain(`Warning BackOff: Back-off restarting failed container main in pod crasher_${h.namespace}(${current.metadata!.uid})`);
    expect((await h.events('crasher')).find((e) => e.reason === 'BackOff').count).toBeGreaterThanOrEqual(2);
  });

  it('reports an OOM-killed container as OOMKilled and restarts it', async () => {
    await h.createPod({
      metadata: { name: 'oom' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'hog', image: BUSYBOX, command: ['tail', '/dev/zero'], resources: { limits: { memory: '32Mi' } } }] },
    });
    const pod = await h.waitPod('oom', (p) => {
      const s = containerStatus(p, 'hog');
      return (s?.restartCount ?? 0) >= 1 && (s?.lastState?.terminated?.reason === 'OOMKilled' || s?.state?.terminated?.reason === 'OOMKilled');
    }, 30_000, 'OOMKilled and restarted');
    const s = containerStatus(pod, 'hog')!;
    expect((s.lastState?.terminated ?? s.state?.terminated)!.exitCode).toBe(137);
    expect(await eventLines('oom')).toEqual(expect.arrayContaining([expect.stringMatching(/^Warning OOMKilling: /)]));
  });

  it('runs postStart hooks; a failing one kills the container, which then restarts', async () => {
    await h.createPod({
      metadata: { name: 'hooks' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'good', image: BUSYBOX, command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hooked > /tmp/hook'] } } } },
          { name: 'bad', image: BUSYBOX, command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 3'] } } } },
        ],
      },
    });
    const pod = await h.waitPod('hooks', (p) => (containerStatus(p, 'bad')?.restartCount ?? 0) >= 1 && containerStatus(p, 'good')?.ready === true, 20_000, 'bad restarted');
    expect(await exec(pod, 'good', 'cat /tmp/hook')).toBe('hooked\n');
    const events = await eventLines('hooks');
    expect(events).toContain(`Warning FailedPostStartHook: Exec lifecycle hook ([sh -c echo nope; exit 3]) for Container "bad" in Pod "hooks_${h.namespace}(${pod.metadata!.uid})" failed - error: command 'sh -c echo nope; exit 3' exited with 3: nope`);
    expect(events).toContain('Normal Killing: FailedPostStartHook');
  });

  it('runs host-network pods in the host network namespace, without CNI', async () => {
    await h.createPod(sleeper('host-net', { hostNetwork: true }));
    const pod = await h.waitPod('host-net', ready('main'));
    const [sandbox] = await h.runtime.listPodSandboxes(pod.metadata!.uid!);
    expect(await readlink(`/proc/${sandbox!.pid}/ns/net`)).toBe(await readlink('/proc/self/ns/net'));
    await expect(stat(path.join(podDir(h.dataDir, pod.metadata!.uid!), 'sandboxes'))).rejects.toThrow();
  });

  it('creates containers while the sandbox is networked, and starts them with the network and /etc/hosts in place', async () => {
    const script = 'ip -4 -o addr show dev eth0 > /tmp/net-at-start; cat /etc/hosts > /tmp/hosts-at-start; exec sleep 3600';
    await h.createPod({ metadata: { name: 'early' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', script] }] } });
    const pod = await h.waitPod('early', ready('main'));
    const ip = pod.status!.podIP!.replace(/\./g, '\\.');
    expect(await exec(pod, 'main', 'cat /tmp/net-at-start')).toMatch(new RegExp(`inet ${ip}/24 `));
    expect(await exec(pod, 'main', 'cat /tmp/hosts-at-start')).toMatch(new RegExp(`^${ip}\\tearly$`, 'm'));
    expect((await eventLines('early')).filter((l) => / (Pulled|Created|Started):/.test(l))).toEqual([
      `Normal Pulled: Container image "${BUSYBOX}" already present on machine`,
      'Normal Created: Created container: main',
      'Normal Started: Started container main',
    ]);
  });

  it('reaches another pod by pod IP', async () => {
    await h.createPod({ metadata: { name: 'web' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: BUSYBOX, command: ['sh', '-c', 'echo hello-from-web > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'] }] } });
    await h.createPod(sleeper('client'));
    const web = await h.waitPod('web', ready('httpd'));
    const client = await h.waitPod('client', ready('main'));
    expect(web.status!.podIP).not.toBe(client.status!.podIP);
    const body = await exec(client, 'main', `for i in 1 2 3 4 5; do timeout 2 wget -q -O - http://${web.status!.podIP}:8080/index.html && exit 0; sleep 0.5; done; exit 1`);
    expect(body).toBe('hello-from-web\n');
  });

  it('adopts running pods after a restart of the manager, restarting nothing', async () => {
    await h.createPod(sleeper('adopted'));
    const before = await h.waitPod('adopted', ready('main'));
    await h.restartManager();
    await sleep(3000);
    const after = await h.waitPod('adopted', ready('main'));
    const [b, a] = [containerStatus(before, 'main')!, containerStatus(after, 'main')!];
    expect(a.containerID).toBe(b.containerID);
    expect(a.restartCount).toBe(0);
    expect(a.state!.running!.startedAt).toBe(b.state!.running!.startedAt);
    expect(after.status!.podIP).toBe(before.status!.podIP);
    expect((await h.events('adopted')).filter((e) => e.reason === 'Started')).toHaveLength(1);
    expect(await h.manager.containerFor(h.namespace, 'adopted', undefined, false)).toEqual({ containerId: b.containerID!.replace('docker://', '') });
    expect(await h.manager.sandboxFor(h.namespace, 'adopted')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('removes what belonged to pods deleted while it was down', async () => {
    await h.createPod(sleeper('orphaned', { volumes: [{ name: 'mem', emptyDir: { medium: 'Memory' } }], containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'mem', mountPath: '/mem' }] }] }));
    const pod = await h.waitPod('orphaned', ready('main'));
    const uid = pod.metadata!.uid!;
    await h.restartManager(async () => {
      await h.client.delete(podsResource, h.namespace, 'orphaned', { gracePeriodSeconds: 0 });
    });
    await expect.poll(async () => (await h.runtime.listPodSandboxes(uid)).length + (await h.runtime.listContainers(uid)).length, { timeout: 15_000 }).toBe(0);
    await expect.poll(() => stat(podDir(h.dataDir, uid)).then(() => true, () => false), { timeout: 10_000 }).toBe(false);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(uid);
  });

  it('replaces a sandbox that died and restarts the containers in the new one', async () => {
    await h.createPod(sleeper('sandbox-dies'));
    await h.waitPod('sandbox-dies', ready('main'));
    const sandbox = await h.manager.sandboxFor(h.namespace, 'sandbox-dies');
    await h.docker.getContainer(sandbox!).kill();
    const after = await h.waitPod('sandbox-dies', (p) => containerStatus(p, 'main')?.restartCount === 1 && ready('main')(p), 20_000, 'restarted in a new sandbox');
    expect(await h.manager.sandboxFor(h.namespace, 'sandbox-dies')).not.toBe(sandbox);
    expect(after.status!.podIP).toMatch(/^10\.254\./);
    expect(await eventLines('sandbox-dies')).toContain('Normal SandboxChanged: Pod sandbox changed, it will be killed and re-created.');
  });

  it('deletes gracefully: preStop, SIGTERM, the grace period, SIGKILL, then the pod goes with everything it had', async () => {
    const log = path.join(hostDir, 'term.log');
    await h.createPod({
      metadata: { name: 'graceful' },
      spec: {
        terminationGracePeriodSeconds: 3,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', `trap 'echo TERM $(cut -d" " -f1 /proc/uptime) >> /log/term.log' TERM; echo started >> /log/term.log; while true; do sleep 0.2; done`],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo PRESTOP $(cut -d" " -f1 /proc/uptime) >> /log/term.log'] } } },
            volumeMounts: [{ name: 'log', mountPath: '/log' }, { name: 'mem', mountPath: '/mem' }],
          },
        ],
        volumes: [{ name: 'log', hostPath: { path: hostDir } }, { name: 'mem', emptyDir: { medium: 'Memory' } }],
      },
    });
    const pod = await h.waitPod('graceful', ready('main'));
    const uid = pod.metadata!.uid!;
    await expect.poll(() => readFile(log, 'utf8').catch(() => ''), { timeout: 5000 }).toContain('started');
    const deleted = Date.now();
    const deletedUptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    await h.client.delete(podsResource, h.namespace, 'graceful');
    let lastStatus: Pod | undefined;
    for (;;) {
      const p = await h.getPod('graceful').catch(() => undefined);
      if (!p) break;
      lastStatus = p;
      if (Date.now() - deleted > 20_000) throw new Error('pod not deleted');
      await sleep(50);
    }
    const gone = Date.now() - deleted;
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['started', 'PRESTOP', 'TERM']);
    const termAt = Number(lines[2]!.split(' ')[1]);
    // SIGTERM came at once, SIGKILL only after the grace period: the pod went after ~3 s.
    expect(termAt - deletedUptime).toBeLessThan(2);
    expect(gone).toBeGreaterThanOrEqual(2900);
    expect(lastStatus!.metadata!.deletionTimestamp).toBeDefined();
    const final = containerStatus(lastStatus!, 'main')!;
    if (final.state?.terminated) expect(final.state.terminated.exitCode).toBe(137);
    expect(await eventLines('graceful')).toContain('Normal Killing: Stopping container main');
    // Nothing of it is left on the node.
    await expect.poll(async () => (await h.runtime.listPodSandboxes(uid)).length + (await h.runtime.listContainers(uid)).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => stat(podDir(h.dataDir, uid)).then(() => true, () => false), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => readdir(`/sys/fs/cgroup/memory/tugpods/besteffort`).then((d) => d.includes(`pod${uid}`)), { timeout: 10_000 }).toBe(false);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(uid);
  });
});
