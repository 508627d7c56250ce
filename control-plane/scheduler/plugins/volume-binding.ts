/**
 * VolumeBinding (filter), as upstream's: a pod's PersistentVolumeClaims must exist and not be
 * being deleted; a claim bound to a volume with nodeAffinity admits only the nodes it names; an
 * unbound claim of a WaitForFirstConsumer class admits a node where a matching Available volume
 * would be reachable or where its provisioner can make one (Tugboat's local provisioner can on
 * every node; a provisioner Tugboat does not run cannot); an unbound claim of any other kind
 * (Immediate, or no class) waits for the binder: the pod is unschedulable until then. Reads the
 * claims, volumes and classes through `VolumeLookup` (the scheduler's informer caches). After
 * the pod is placed, the scheduler writes the chosen node into its delayed claims
 * (`volume.kubernetes.io/selected-node`, see claimsToSelect).
 */
import { nodeFactsOf } from '../../api/node-selector.js';
import { bindingMode, BUILTIN_PROVISIONERS, claimClassName, findMatchingVolume, podClaimNames, volumeFitsNode } from '../../api/storage.js';
import { rejection, type Rejection } from '../fit-error.js';
import type { FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

export interface VolumeLookup {
  claim(namespace: string, name: string): any | undefined;
  volume(name: string): any | undefined;
  storageClass(name: string): any | undefined;
  volumes(): readonly any[];
}

export const REASONS = {
  unboundImmediate: 'pod has unbound immediate PersistentVolumeClaims',
  nodeConflict: 'node(s) had volume node affinity conflict',
  noVolumes: "node(s) didn't find available persistent volumes to bind",
  missingVolume: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  claimNotFound: (name: string) => `persistentvolumeclaim "${name}" not found`,
  claimDeleting: (name: string) => `persistentvolumeclaim "${name}" is being deleted`,
};

interface VolumeState {
  /** Set when the pod fits no node whatever the node. */
  rejected?: Rejection;
  boundVolumes: any[];
  /** Unbound claims of WaitForFirstConsumer classes, with their class. */
  delayed: { claim: any; sc: any }[];
}

const STATE_KEY = 'VolumeBinding';

/** What the plugin decides before looking at nodes (exported for tests). */
export function volumeStateOf(pod: any, lookup: VolumeLookup): VolumeState | undefined {
  const names = podClaimNames(pod);
  if (names.length === 0) return undefined;
  const ns = pod.metadata?.namespace ?? '';
  const state: VolumeState = { boundVolumes: [], delayed: [] };
  for (const name of names) {
    const claim = lookup.claim(ns, name);
    if (!claim) return { ...state, rejected: rejection(REASONS.claimNotFound(name), true) };
    if (claim.metadata?.deletionTimestamp) return { ...state, rejected: rejection(REASONS.claimDeleting(name), true) };
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      const pv = lookup.volume(volumeName);
      if (!pv) return { ...state, rejected: rejection(REASONS.missingVolume, true) };
      state.boundVolumes.push(pv);
      continue;
    }
    const className = claimClassName(claim);
    const sc = className ? lookup.storageClass(className) : undefined;
    if (!sc || bindingMode(sc) !== 'WaitForFirstConsumer') return { ...state, rejected: rejection(REASONS.unboundImmediate, true) };
    state.delayed.push({ claim, sc });
  }
  return state;
}

/** Whether `node` suits the volumes of the pod whose state this is: undefined, or why not. */
export function volumeFilter(state: VolumeState, node: NodeInfo | { name: string; labels: Readonly<Record<string, string>> }, lookup: VolumeLookup): Rejection | undefined {
  if (state.rejected) return state.rejected;
  const facts = 'node' in node && node.node ? nodeFactsOf(node.node) : { name: node.name, labels: node.labels };
  for (const pv of state.boundVolumes) if (!volumeFitsNode(pv, facts)) return rejection(REASONS.nodeConflict, true);
  for (const { claim, sc } of state.delayed) {
    if (findMatchingVolume(claim, lookup.volumes(), facts)) continue;
    if (BUILTIN_PROVISIONERS.includes(sc.provisioner)) continue; // made once the node is chosen
    return rejection(REASONS.noVolumes, true);
  }
  return undefined;
}

/**
 * The delayed claims of `pod` that must be told the chosen node (annotation
 * volume.kubernetes.io/selected-node), as upstream's AssumePodVolumes/BindPodVolumes.
 */
export function claimsToSelect(pod: any, node: string, lookup: VolumeLookup): any[] {
  const state = volumeStateOf(pod, lookup);
  if (!state || state.rejected) return [];
  return state.delayed.map((d) => d.claim).filter((c) => c.metadata?.annotations?.['volume.kubernetes.io/selected-node'] !== node);
}

export function volumeBinding(lookup: VolumeLookup): FilterPlugin {
  return {
    name: 'VolumeBinding',
    events: ['NodeAdd', 'NodeUpdate', 'VolumeChange'],
    preFilter: (pod, _cluster, state) => {
      const vs = volumeStateOf(pod.pod, lookup);
      if (!vs) return false;
      state.write(STATE_KEY, vs);
      return true;
    },
    filter: (_pod, node, state) => volumeFilter(state.read<VolumeState>(STATE_KEY), node, lookup),
  };
}
