/**
 * End to end: a Job applied with real kubectl 1.33 runs to completion as real containers on a real
 * `tug agent`, driven by the Job controller (and the garbage collector). Pods are bound through
 * spec.nodeName in the template: this test does not depend on the scheduler.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage } from '../../../agent/runtime/docker/images.js';
import type { ControllerHandle } from '../../client/controller.js';
import { kubectlOk } from '../../../e2e/harness/kubectl.js';
import { startTugAgent, type TugAgent } from '../../../e2e/harness/tug-agent.js';
import { startGarbageCollector } from '../gc/controller.js';
import { startJobController } from './controller.js';
import { startTestCluster, type TestCluster } from './test-cluster.test-util.js';

const IMAGE = 'tugboat/busybox:test';

let cluster: TestCluster;
let agent: TugAgent | undefined;
const controllers: ControllerHandle[] = [];
const k = (...args: string[]) => kubectlOk(cluster.server.kubeconfig, args);

beforeAll(async () => {
  await buildBusyboxImage(new Docker(), IMAGE);
  cluster = await startTestCluster();
  // The server's own controllers are stopped: node IPAM runs here too, for the agent's pod network.
  controllers.push(startJobController(cluster.ctx), startGarbageCollector(cluster.ctx));
  await cluster.startInformers();
  agent = await startTugAgent(cluster.server);
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await Promise.all(controllers.map((c) => c.stop()));
  await cluster?.stop();
}, 180_000);

describe('Job with a real agent and kubectl', () => {
  it('completions 3 / parallelism 2 of busybox `exit 0` completes', async () => {
    await kubectlOk(cluster.server.kubeconfig, ['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata:
  name: exit-zero
spec:
  completions: 3
  parallelism: 2
  backoffLimit: 2
  template:
    spec:
      nodeName: ${agent!.nodeName}
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "exit 0"]
`,
    });
    await k('wait', '--for=condition=complete', 'job/exit-zero', '--timeout=150s');
    const job = JSON.parse(await k('get', 'job', 'exit-zero', '-o', 'json'));
    expect(job.status).toMatchObject({ succeeded: 3, failed: 0 });
    expect(await k('get', 'job', 'exit-zero')).toMatch(/^exit-zero\s+Complete\s+3\/3\s+/m);
    const pods = JSON.parse(await k('get', 'pods', '-l', 'batch.kubernetes.io/job-name=exit-zero', '-o', 'json')).items;
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.status.phase).toBe('Succeeded');
      expect(p.metadata.finalizers ?? []).toEqual([]);
    }
    const events = await k('get', 'events', '--field-selector', 'involvedObject.name=exit-zero');
    expect(events).toMatch(/SuccessfulCreate\s+job\/exit-zero\s+Created pod: exit-zero-/);
    expect(events).toMatch(/Completed\s+job\/exit-zero\s+Job completed/);
    await k('delete', 'job', 'exit-zero');
    await k('wait', '--for=delete', 'pod', '-l', 'batch.kubernetes.io/job-name=exit-zero', '--timeout=60s');
  }, 240_000);
});
