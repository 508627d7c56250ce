/**
 * NodeAffinity: as a filter, spec.nodeSelector and the required node affinity must match the node;
 * as a score, the weights of the preferred node affinity terms the node matches add up
 * (normalized by the best node).
 */
import { preferredTerms, type NodePredicate } from '../../api/node-selector.js';
import { rejection } from '../fit-error.js';
import { defaultNormalize, type FilterPlugin, type ScorePlugin } from '../framework.js';

const REJECTED = rejection("node(s) didn't match Pod's node affinity/selector", true);

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter: (pod) => pod.requiredNodes !== undefined,
  filter: (pod, node) => (pod.requiredNodes!(node) ? undefined : REJECTED),
};

const PREFERRED_KEY = 'NodeAffinity/preferred';
type Preferred = { weight: number; matches: NodePredicate }[];

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  preScore: (pod, _nodes, _cluster, state) => {
    const terms = preferredTerms(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    if (terms.length === 0) return false;
    state.write(PREFERRED_KEY, terms);
    return true;
  },
  score: (_pod, node, state) => {
    let sum = 0;
    for (const t of state.read<Preferred>(PREFERRED_KEY)) if (t.matches(node)) sum += t.weight;
    return sum;
  },
  normalize: (scores) => defaultNormalize(scores, false),
};
