/** `tug cluster list`: the clusters on this engine, from the labels on their node containers. */
import type { DockerCli } from './docker-cli.js';
import { LABEL_CLUSTER } from './names.js';

export interface ClusterSummary {
  name: string;
  nodes: number;
  running: number;
}

/** One summary per cluster name, sorted by name, from `docker ps` lines "<cluster>\t<state>". */
export function summarize(psLines: string[]): ClusterSummary[] {
  const byName = new Map<string, ClusterSummary>();
  for (const line of psLines) {
    const [name, state] = line.split('\t');
    if (!name) continue;
    const s = byName.get(name) ?? { name, nodes: 0, running: 0 };
    s.nodes++;
    if (state === 'running') s.running++;
    byName.set(name, s);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The clusters whose node containers exist, running or not. */
export async function listClusters(docker: DockerCli): Promise<ClusterSummary[]> {
  const out = await docker.run(['ps', '--all', '--filter', `label=${LABEL_CLUSTER}`, '--format', `{{.Label "${LABEL_CLUSTER}"}}\t{{.State}}`]);
  return summarize(out.split('\n'));
}
