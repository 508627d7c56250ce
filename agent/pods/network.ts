/**
 * A sandbox's pod network through CNI, with a checkpoint per sandbox in the pod's directory
 * (`sandboxes/<id>.json`: the addresses CNI gave it). The checkpoint is written before ADD and
 * removed after a successful DEL, so a sandbox whose network may exist is always torn down, and a
 * restarted agent knows the addresses of the sandboxes it adopts.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CniInvoker } from '../../cni/invoker.js';
import type { PodIdentity, PortMapping } from '../runtime/runtime.js';
import { podDir } from '../volumes/volume-manager.js';

const IF_NAME = 'eth0';

export class PodNetwork {
  constructor(
    private readonly cni: CniInvoker,
    private readonly dataDir: string,
  ) {}

  private checkpoint(podUid: string, sandboxId: string): string {
    return path.join(podDir(this.dataDir, podUid), 'sandboxes', `${sandboxId}.json`);
  }

  private async write(podUid: string, sandboxId: string, podIPs: string[]): Promise<void> {
    const file = this.checkpoint(podUid, sandboxId);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify({ podIPs }));
    await rename(`${file}.tmp`, file);
  }

  private args(pod: PodIdentity, sandboxId: string): Record<string, string> {
    return { IgnoreUnknown: '1', K8S_POD_NAMESPACE: pod.namespace, K8S_POD_NAME: pod.name, K8S_POD_INFRA_CONTAINER_ID: sandboxId };
  }

  /**
   * CNI ADD for the sandbox; resolves with the pod's addresses. Host ports go to plugins with the
   * portMappings capability. On failure nothing stays attached.
   */
  async setUp(pod: PodIdentity, sandboxId: string, netnsPath: string, portMappings: PortMapping[] = []): Promise<string[]> {
    await this.write(pod.uid, sandboxId, []);
    const capabilityArgs = portMappings.length > 0 ? { portMappings: portMappings.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })) } : undefined;
    const result = await this.cni.add({ containerId: sandboxId, netnsPath, ifName: IF_NAME, args: this.args(pod, sandboxId), ...(capabilityArgs ? { capabilityArgs } : {}) });
    await this.write(pod.uid, sandboxId, result.podIPs);
    return result.podIPs;
  }

  /** CNI DEL when the sandbox may have a network (a checkpoint exists). Idempotent. */
  async tearDown(pod: PodIdentity, sandboxId: string, netnsPath?: string): Promise<void> {
    const file = this.checkpoint(pod.uid, sandboxId);
    try {
      await readFile(file);
    } catch {
      return;
    }
    await this.cni.del({ containerId: sandboxId, ifName: IF_NAME, args: this.args(pod, sandboxId), ...(netnsPath ? { netnsPath } : {}) });
    await rm(file, { force: true });
  }

  /** The addresses recorded for a sandbox ([] when none). */
  async podIPs(podUid: string, sandboxId: string): Promise<string[]> {
    try {
      const { podIPs } = JSON.parse(await readFile(this.checkpoint(podUid, sandboxId), 'utf8')) as { podIPs?: string[] };
      return Array.isArray(podIPs) ? podIPs : [];
    } catch {
      return [];
    }
  }
}
