/**
 * Field selectors (`?fieldSelector=`) as upstream's k8s.io/apimachinery/pkg/fields parses them:
 * comma-separated `field=value`, `field==value` or `field!=value` terms, all of which must hold;
 * `\,`, `\=` and `\\` escape those characters in values. Terms are sorted while parsing, so their
 * order never matters (kubectl versions send involvedObject terms in different orders).
 *
 * Which field labels a request may name is upstream's per-kind field label conversion
 * (AddFieldLabelConversionFunc in pkg/apis/<group>/<version>/conversion.go), checked by
 * checkFieldSelector; the values objects offer are fieldlabels.ts.
 */
import { badRequest } from './status.js';

export interface FieldRequirement {
  field: string;
  /** `=` and `==` both mean equality. */
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  /** Whether every term holds; a field the object does not have reads as ''. */
  matches(fields: Record<string, string>): boolean;
  requirements(): FieldRequirement[];
  /** True when the selector has no terms. */
  empty(): boolean;
  /** `a=b,c!=d` in term order (values unescaped, as upstream prints them). */
  toString(): string;
}

function selectorOf(terms: FieldRequirement[]): FieldSelector {
  return {
    matches: (fields) =>
      terms.every((t) => {
        const have = Object.hasOwn(fields, t.field) ? fields[t.field] : '';
        return t.op === '=' ? have === t.value : have !== t.value;
      }),
    requirements: () => terms.map((t) => ({ ...t })),
    empty: () => terms.length === 0,
    toString: () => terms.map((t) => `${t.field}${t.op}${t.value}`).join(','),
  };
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator in the term splits it; `!=` and `==` win over `=` at the same position. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses a field selector; the empty string selects everything. Throws StatusError BadRequest
 * (400) with upstream's message on bad syntax. Does not check field names: see checkFieldSelector.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    terms.push({ field: split.lhs, op: split.op === '!=' ? '!=' : '=', value: unescapeValue(split.rhs) });
  }
  return selectorOf(terms);
}

/** One kind's field label conversion: accepted label → the label it selects on; and the refusal text. */
interface LabelConversion {
  accepted: Record<string, string>;
  refuse(label: string): string;
}

function registered(labels: string[], aliases: Record<string, string> = {}, refuse = (l: string) => `field label not supported: ${l}`): LabelConversion {
  return { accepted: { ...Object.fromEntries(labels.map((l) => [l, l])), ...aliases }, refuse };
}

/** What a kind without a registered conversion accepts (upstream's DefaultMetaV1FieldSelectorConversion). */
const METADATA_ONLY: LabelConversion = {
  accepted: { 'metadata.name': 'metadata.name', 'metadata.namespace': 'metadata.namespace' },
  refuse: (l) => `"${l}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const EVENT_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];

/**
 * Upstream's registered conversions, keyed by `<group or core>/<plural>` of the served resource.
 * Everything else (all of apps, for instance: apps/v1 registers none) is METADATA_ONLY.
 */
const FIELD_LABEL_CONVERSIONS: Record<string, LabelConversion> = {
  'core/pods': registered(
    [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
    { 'spec.host': 'spec.nodeName' },
  ),
  'core/nodes': registered(['metadata.name', 'spec.unschedulable']),
  'core/events': registered(EVENT_LABELS),
  'events.k8s.io/events': registered(['reason', 'source', 'type', 'metadata.namespace', 'metadata.name'], {
    'regarding.kind': 'involvedObject.kind',
    'regarding.namespace': 'involvedObject.namespace',
    'regarding.name': 'involvedObject.name',
    'regarding.uid': 'involvedObject.uid',
    'regarding.apiVersion': 'involvedObject.apiVersion',
    'regarding.resourceVersion': 'involvedObject.resourceVersion',
    'regarding.fieldPath': 'involvedObject.fieldPath',
    reportingController: 'reportingComponent',
  }),
  'core/namespaces': registered(['status.phase', 'metadata.name']),
  'core/secrets': registered(['type', 'metadata.namespace', 'metadata.name']),
  'core/services': registered(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']),
  'batch/jobs': registered(['metadata.name', 'metadata.namespace', 'status.successful'], {}, (l) => `field label "${l}" not supported for batchv1.Job`),
};

/**
 * Checks every term's field label against what the served resource supports and returns the
 * selector with labels rewritten to the names objectFields uses (`spec.host` → `spec.nodeName`,
 * events.k8s.io `regarding.name` → `involvedObject.name`). `resource` is `<group or core>/<plural>`
 * of the served resource: the storage key, except `events.k8s.io/events`. Throws StatusError
 * BadRequest (400) with upstream's message for the first unsupported label (in sorted term order).
 */
export function checkFieldSelector(sel: FieldSelector, resource: string): FieldSelector {
  const conversion = Object.hasOwn(FIELD_LABEL_CONVERSIONS, resource) ? FIELD_LABEL_CONVERSIONS[resource]! : METADATA_ONLY;
  return selectorOf(
    sel.requirements().map((t) => {
      const field = Object.hasOwn(conversion.accepted, t.field) ? conversion.accepted[t.field]! : undefined;
      if (field === undefined) throw badRequest(conversion.refuse(t.field));
      return { ...t, field };
    }),
  );
}
