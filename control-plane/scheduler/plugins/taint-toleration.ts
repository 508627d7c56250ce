/**
 * TaintToleration: as a filter, a node's NoSchedule and NoExecute taints must all be tolerated
 * (the first untolerated one is named); as a score, nodes with fewer PreferNoSchedule taints the
 * pod does not tolerate score higher.
 */
import { blocksScheduling, firstUntolerated, toleratedBy, type Toleration } from '../../api/taints.js';
import { rejection } from '../fit-error.js';
import { defaultNormalize, type FilterPlugin, type ScorePlugin } from '../framework.js';

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeUpdate'],
  filter: (pod, node) => {
    if (node.taints.length === 0) return undefined;
    const taint = firstUntolerated(node.taints, pod.tolerations, blocksScheduling);
    return taint ? rejection(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`, true) : undefined;
  },
};

const PREFER_KEY = 'TaintToleration/prefer';

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  preScore: (pod, nodes, _cluster, state) => {
    if (!nodes.some((n) => n.taints.some((t) => t.effect === 'PreferNoSchedule'))) return false;
    state.write(PREFER_KEY, pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
    return true;
  },
  score: (_pod, node, state) => {
    const tolerations = state.read<Toleration[]>(PREFER_KEY);
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !toleratedBy(t, tolerations)) n++;
    return n;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};
