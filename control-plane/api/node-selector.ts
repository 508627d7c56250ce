/**
 * Node selectors as upstream's component-helpers nodeaffinity evaluates them (the scheduler's
 * NodeAffinity plugin and the DaemonSet controller's NodeShouldRunDaemonPod both use it):
 * spec.nodeSelector (every pair must be a node label) and core/v1 NodeSelector terms (ORed; inside
 * a term the matchExpressions on labels and matchFields on metadata.name are ANDed; an empty term
 * matches nothing). Operators: In, NotIn (also true when the label is absent), Exists,
 * DoesNotExist, Gt, Lt (integers). A requirement upstream could not parse makes its term match
 * nothing. Pure functions; nothing is thrown for malformed input (it matches nothing).
 */

/** What a selector looks at: a node's name and labels. */
export interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type NodePredicate = (node: NodeFacts) => boolean;

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

const INTEGER = /^[+-]?\d+$/;

function requirementHolds(r: Requirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !INTEGER.test(values[0]!) || !INTEGER.test(value)) return false;
      const have = BigInt(value);
      const bound = BigInt(values[0]!);
      return r.operator === 'Gt' ? have > bound : have < bound;
    }
    default:
      return false;
  }
}

/** Whether upstream accepts the requirement (otherwise the whole term is dropped). */
function valid(r: Requirement, field: boolean): boolean {
  const n = r.values?.length ?? 0;
  if (field) return r.key === 'metadata.name' && (r.operator === 'In' || r.operator === 'NotIn') && n === 1;
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return n > 0;
    case 'Exists':
    case 'DoesNotExist':
      return n === 0;
    case 'Gt':
    case 'Lt':
      return n === 1 && INTEGER.test(r.values![0]!);
    default:
      return false;
  }
}

/** One NodeSelectorTerm as a predicate; undefined when the term can never match. */
function termPredicate(term: any): NodePredicate | undefined {
  const exprs: Requirement[] = term?.matchExpressions ?? [];
  const fields: Requirement[] = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return undefined;
  if (!exprs.every((r) => valid(r, false)) || !fields.every((r) => valid(r, true))) return undefined;
  return (node) => {
    for (const r of exprs) if (!requirementHolds(r, Object.hasOwn(node.labels, r.key) ? node.labels[r.key] : undefined)) return false;
    for (const r of fields) if (!requirementHolds(r, node.name)) return false;
    return true;
  };
}

/** A core/v1 NodeSelector (required node affinity): true when any term matches. */
export function nodeSelectorPredicate(selector: any): NodePredicate {
  const terms = ((selector?.nodeSelectorTerms ?? []) as any[]).map(termPredicate).filter((p): p is NodePredicate => p !== undefined);
  return (node) => {
    for (const t of terms) if (t(node)) return true;
    return false;
  };
}

/** A PreferredSchedulingTerm list as weighted predicates (terms that can never match dropped). */
export function preferredTerms(terms: any[] | undefined): { weight: number; matches: NodePredicate }[] {
  const out: { weight: number; matches: NodePredicate }[] = [];
  for (const t of terms ?? []) {
    const matches = termPredicate(t?.preference);
    if (matches && t.weight) out.push({ weight: t.weight, matches });
  }
  return out;
}

/**
 * A pod's hard node constraints: spec.nodeSelector and the required node affinity together, or
 * undefined when it has neither (every node passes).
 */
export function requiredNodePredicate(spec: any): NodePredicate | undefined {
  const selector: Record<string, string> | undefined = spec?.nodeSelector;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const pairs = Object.entries(selector ?? {});
  if (pairs.length === 0 && !required) return undefined;
  const affinity = required ? nodeSelectorPredicate(required) : undefined;
  return (node) => {
    for (const [k, v] of pairs) if (node.labels[k] !== v || !Object.hasOwn(node.labels, k)) return false;
    return affinity ? affinity(node) : true;
  };
}

/** The facts of a core/v1 Node object that selectors look at. */
export function nodeFactsOf(node: { metadata?: { name?: string; labels?: Record<string, string> } }): NodeFacts {
  return { name: node.metadata?.name ?? '', labels: node.metadata?.labels ?? {} };
}

/**
 * Whether a pod spec's hard node constraints (spec.nodeSelector and the required node affinity)
 * both admit the Node object `node`; true when the spec has neither.
 */
export function matchesNodeSelectorAndAffinity(spec: any, node: { metadata?: { name?: string; labels?: Record<string, string> } }): boolean {
  const required = requiredNodePredicate(spec);
  return required ? required(nodeFactsOf(node)) : true;
}
