/**
 * Pod-to-pod TCP throughput in a `tug cluster`, same node against across nodes, in one run: a
 * sender pod on the first worker serves a file of `bytes` zeros from memory (an emptyDir of medium
 * Memory) with busybox httpd; a receiver pod on the same worker and one on the second worker each
 * fetch it (`wget -O- | wc -c`, the count checked), timed inside the pod by busybox `time` (10 ms
 * resolution, so transfers are sized to take about a second or more). Rounds alternate same-node and cross-node so that load from elsewhere hits both.
 * Cross-node traffic goes pod → bridge → node → host-gw route → other node → bridge → pod.
 */
import { existsSync } from 'node:fs';
import { runCommand } from './processes.js';
import { summarize, type Summary } from './stats.js';

export interface PodThroughputOptions {
  /** Bytes per transfer. */
  bytes: number;
  /** Transfers per path. */
  rounds: number;
}

export const DEFAULT_POD_THROUGHPUT: PodThroughputOptions = { bytes: 1 << 30, rounds: 5 };

export interface PodThroughputResults {
  options: PodThroughputOptions;
  /** MB/s (10^6 bytes per second) per transfer. */
  sameNode: Summary;
  crossNode: Summary;
}

const KUBECTL_133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const KUBECTL = existsSync(KUBECTL_133) ? KUBECTL_133 : 'kubectl';
const PORT = 8080;
const READY_LIMIT_MS = 120_000;

function podYaml(name: string, node: string, image: string, command: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    command: ["sh", "-c", ${JSON.stringify(command)}]
${extra}`;
}

/** The sender: the file in memory, then httpd; Ready once httpd listens. */
function senderYaml(node: string, image: string, bytes: number): string {
  const extra = `    readinessProbe: {tcpSocket: {port: ${PORT}}, periodSeconds: 1}
    volumeMounts: [{name: www, mountPath: /www}]
  volumes: [{name: www, emptyDir: {medium: Memory}}]
`;
  return podYaml('tp-sender', node, image, `head -c ${bytes} /dev/zero > /www/zeros && exec httpd -f -p ${PORT} -h /www`, extra);
}

/** Seconds from busybox `time` output ("real 0m 1.23s"). */
export function parseRealSeconds(output: string): number {
  const m = /real\s+(?:(\d+)m\s*)?(\d+(?:\.\d+)?)s/.exec(output);
  if (!m) throw new Error(`no "real" time in: ${output}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

/**
 * Runs the measurement in the cluster of `kubeconfig` with `image` (busybox, loaded in every
 * node) on nodes `workers[0]` (sender, same-node receiver) and `workers[1]` (cross-node receiver).
 * The pods are deleted afterwards, also on failure.
 */
export async function measurePodThroughput(kubeconfig: string, workers: [string, string], image: string, opts: PodThroughputOptions, log: (msg: string) => void): Promise<PodThroughputResults> {
  const k = (...args: string[]) => runCommand(KUBECTL, ['--kubeconfig', kubeconfig, ...args]);
  const pods = [
    senderYaml(workers[0], image, opts.bytes),
    podYaml('tp-same', workers[0], image, 'sleep 3600'),
    podYaml('tp-cross', workers[1], image, 'sleep 3600'),
  ];
  try {
    await runCommand(KUBECTL, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], pods.join('---\n'));
    await k('wait', '--for=condition=Ready', 'pod/tp-sender', 'pod/tp-same', 'pod/tp-cross', `--timeout=${READY_LIMIT_MS / 1000}s`);
    const sender = (await k('get', 'pod', 'tp-sender', '-o', 'jsonpath={.status.podIP}')).trim();
    const transfer = async (pod: string) => {
      const script = `time sh -c 'wget -qO- http://${sender}:${PORT}/zeros | wc -c' 2>&1`;
      const output = await k('exec', pod, '--', 'sh', '-c', script);
      const received = Number(/^\s*(\d+)\s*$/m.exec(output)?.[1]);
      if (received !== opts.bytes) throw new Error(`${pod} received ${received} of ${opts.bytes} bytes from ${sender}:${PORT}: ${output}`);
      return opts.bytes / 1e6 / parseRealSeconds(output);
    };
    const same: number[] = [];
    const cross: number[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      same.push(await transfer('tp-same'));
      cross.push(await transfer('tp-cross'));
      log(`pod throughput round ${i + 1}/${opts.rounds}: same node ${same[i]!.toFixed(0)} MB/s, across nodes ${cross[i]!.toFixed(0)} MB/s`);
    }
    return { options: opts, sameNode: summarize(same), crossNode: summarize(cross) };
  } finally {
    await k('delete', 'pod', 'tp-sender', 'tp-same', 'tp-cross', '--grace-period=1', '--ignore-not-found').catch((err: Error) => log(`could not delete the throughput pods: ${err.message}`));
  }
}
