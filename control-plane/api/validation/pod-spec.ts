/**
 * PodSpec and PodTemplateSpec validation, as upstream's ValidatePodSpec / ValidatePodTemplateSpec:
 * shared by Pods and every workload template. Expects a defaulted spec (restartPolicy, dnsPolicy,
 * terminationGracePeriodSeconds and container policies set), as the API server defaults before it
 * validates.
 */
import { dns1123Label, dns1123Subdomain, labelValue } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, duplicate, forbidden, invalid, invalidEach, notSupported, required } from './field.js';
import { IP_MESSAGE, inclusiveRangeError, isIPAddress, unixID } from './formats.js';
import { isSet, list, record, sortedEntries, text } from './json.js';
import { nonNegative, validateAnnotations, validateEnum, validateLabelSelector, validateLabels, validateQualifiedName } from './meta.js';
import { type PodContext, validateContainers, validateInitContainers } from './containers.js';
import { validateResourceRequirements } from './resources.js';
import { validateVolumes } from './volumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];
const MAX_INT32 = 2147483647;

/** Pod-level `spec.securityContext`: ids in range, enum fields known. */
function validatePodSecurityContext(sc: unknown, path: Path): FieldError[] {
  if (!isSet(sc)) return [];
  const s = record(sc);
  const errs: FieldError[] = [];
  for (const field of ['fsGroup', 'runAsUser', 'runAsGroup'] as const) {
    if (typeof s[field] === 'number') errs.push(...invalidEach(path.child(field), s[field], unixID(s[field])));
  }
  list(s.supplementalGroups).forEach((g, i) => errs.push(...invalidEach(path.child('supplementalGroups').index(i), g, unixID(g))));
  if (isSet(s.fsGroupChangePolicy) && !['Always', 'OnRootMismatch'].includes(s.fsGroupChangePolicy)) {
    errs.push(notSupported(path.child('fsGroupChangePolicy'), s.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  return errs;
}

/** Upstream's ValidateTolerations. */
export function validateTolerations(tolerations: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  list(tolerations).forEach((raw, i) => {
    const t = record(raw);
    const p = path.index(i);
    const key = text(t.key);
    const operator = text(t.operator);
    const value = text(t.value);
    if (key) errs.push(...validateQualifiedName(key, p.child('key')));
    if (!key && operator !== 'Exists') {
      errs.push(invalid(p.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(t.tolerationSeconds) && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), text(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const problems = labelValue(value);
      if (problems.length) errs.push(invalid(p.child('operator'), value, problems.join(';')));
    } else if (operator === 'Exists') {
      if (value) errs.push(invalid(p.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(p.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (text(t.effect) && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateNodeSelectorRequirement(raw: unknown, path: Path, checkValues: boolean): FieldError[] {
  const rq = record(raw);
  const values = list(rq.values);
  const errs: FieldError[] = [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateQualifiedName(text(rq.key), path.child('key')));
  if (checkValues) values.forEach((v, i) => errs.push(...invalidEach(path.child('values').index(i), v, labelValue(text(v)))));
  return errs;
}

function validateNodeSelectorTerm(raw: unknown, path: Path, checkValues: boolean): FieldError[] {
  const term = record(raw);
  const errs: FieldError[] = [];
  list(term.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, path.child('matchExpressions').index(j), checkValues)));
  list(term.matchFields).forEach((r, j) => {
    const req = record(r);
    const p = path.child('matchFields').index(j);
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (list(req.values).length !== 1) errs.push(required(p.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(invalid(p.child('operator'), req.operator ?? '', 'not a valid selector operator'));
    }
    if (req.key !== 'metadata.name') errs.push(invalid(p.child('key'), text(req.key), 'not a valid field selector key'));
    else list(req.values).forEach((v, i) => errs.push(...invalidEach(p.child('values').index(i), v, dns1123Subdomain(text(v)))));
  });
  return errs;
}

/** A NodeSelector (node affinity, PersistentVolume node affinity): at least one term. */
export function validateNodeSelector(raw: unknown, path: Path): FieldError[] {
  const terms = list(record(raw).nodeSelectorTerms);
  const termPath = path.child('nodeSelectorTerms');
  if (terms.length === 0) return [required(termPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, termPath.index(i), true));
}

function validateWeight(weight: unknown, path: Path): FieldError[] {
  return typeof weight === 'number' && weight > 0 && weight <= 100 ? [] : [invalid(path, weight ?? 0, 'must be in the range 1-100')];
}

function validatePodAffinityTerm(raw: unknown, path: Path): FieldError[] {
  const term = record(raw);
  const errs = [
    ...validateLabelSelector(term.labelSelector, path.child('labelSelector')),
    ...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector')),
  ];
  for (const ns of list(term.namespaces)) errs.push(...invalidEach(path.child('namespace'), ns, dns1123Label(text(ns))));
  const topologyKey = text(term.topologyKey);
  if (!topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  return errs.concat(validateQualifiedName(topologyKey, path.child('topologyKey')));
}

function validateAffinity(raw: unknown, path: Path): FieldError[] {
  if (!isSet(raw)) return [];
  const affinity = record(raw);
  const errs: FieldError[] = [];
  if (isSet(affinity.nodeAffinity)) {
    const na = record(affinity.nodeAffinity);
    const p = path.child('nodeAffinity');
    if (isSet(na.requiredDuringSchedulingIgnoredDuringExecution)) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, p.child('requiredDuringSchedulingIgnoredDuringExecution')));
    }
    list(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(record(t).weight, tp.child('weight')));
      errs.push(...validateNodeSelectorTerm(record(t).preference, tp.child('preference'), false));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    if (!isSet(affinity[kind])) continue;
    const pa = record(affinity[kind]);
    const p = path.child(kind);
    list(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, p.child('requiredDuringSchedulingIgnoredDuringExecution').index(i)));
    });
    list(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(record(t).weight, tp.child('weight')));
      errs.push(...validatePodAffinityTerm(record(t).podAffinityTerm, tp.child('podAffinityTerm')));
    });
  }
  return errs;
}

function validateDNSConfig(raw: unknown, dnsPolicy: unknown, path: Path): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!isSet(raw)) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (list(record(raw).nameservers).length === 0) return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isSet(raw)) return [];
  const config = record(raw);
  const errs: FieldError[] = [];
  const nameservers = list(config.nameservers);
  if (nameservers.length > 3) errs.push(invalid(path.child('nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    if (!isIPAddress(text(ns))) errs.push(invalid(path.child('nameservers').index(i), ns, IP_MESSAGE));
  });
  const searches = list(config.searches).map(text);
  if (searches.length > 32) errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    if (s === '.') return;
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...invalidEach(path.child('searches').index(i), trimmed, dns1123Subdomain(trimmed.replace(/_/g, 'a'))));
  });
  list(config.options).forEach((o, i) => {
    if (!text(record(o).name)) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

function validateTopologySpread(constraints: unknown, path: Path): FieldError[] {
  const all = list(constraints).map(record);
  const errs: FieldError[] = [];
  all.forEach((c, i) => {
    const p = path.index(i);
    if (typeof c.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(invalid(p.child('maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!text(c.topologyKey)) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) {
      errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (all.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${text(c.topologyKey)}, ${text(c.whenUnsatisfiable)}}`));
    }
    if (isSet(c.minDomains)) {
      if (typeof c.minDomains !== 'number' || c.minDomains <= 0) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${text(c.whenUnsatisfiable)}`));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

export interface PodSpecOptions {
  /** The spec belongs to a Pod (not a template): host ports under hostNetwork must equal container ports, images are trimmed. */
  isPod: boolean;
}

/** A PodSpec at `path` (`spec` for Pods, `spec.template.spec` for workloads). */
export function validatePodSpec(specRaw: unknown, path: Path, opts: PodSpecOptions): FieldError[] {
  const spec = record(specRaw);
  const errs: FieldError[] = [];
  const grace = spec.terminationGracePeriodSeconds;
  if (!isSet(grace)) errs.push(required(path.child('terminationGracePeriodSeconds')));
  else errs.push(...nonNegative(grace, path.child('terminationGracePeriodSeconds')));
  const { errors: volumeErrors, sources } = validateVolumes(spec.volumes, path.child('volumes'), opts.isPod);
  errs.push(...volumeErrors);
  const ctx: PodContext = { volumes: sources, gracePeriod: typeof grace === 'number' ? grace : undefined, restartPolicy: text(spec.restartPolicy) };
  errs.push(...validateContainers(spec.containers, ctx, path.child('containers')));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, path.child('initContainers')));
  if (spec.hostNetwork === true) {
    list(spec.containers).forEach((c, i) => {
      list(record(c).ports).forEach((raw, j) => {
        const port = record(raw);
        const hp = port.hostPort ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== port.containerPort) {
          errs.push(invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  errs.push(...validateEnum(spec.restartPolicy, RESTART_POLICIES, path.child('restartPolicy')));
  errs.push(...validateEnum(spec.dnsPolicy, DNS_POLICIES, path.child('dnsPolicy')));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, path.child('securityContext')));
  list(spec.imagePullSecrets).forEach((s, i) => {
    const keys = Object.keys(record(s));
    if (keys.some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').index(i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, path.child('dnsConfig')));
  list(spec.readinessGates).forEach((g, i) => errs.push(...validateQualifiedName(text(record(g).conditionType), path.child('readinessGates').index(i).child('conditionType'))));
  const gates = new Set<string>();
  list(spec.schedulingGates).forEach((g, i) => {
    const name = text(record(g).name);
    errs.push(...validateQualifiedName(name, path.child('schedulingGates').index(i)));
    if (gates.has(name)) errs.push(duplicate(path.child('schedulingGates').index(i), name));
    gates.add(name);
  });
  errs.push(...validateTopologySpread(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  for (const field of ['serviceAccountName', 'nodeName', 'priorityClassName'] as const) {
    if (text(spec[field])) errs.push(...invalidEach(path.child(field), spec[field], dns1123Subdomain(spec[field])));
  }
  if (isSet(spec.activeDeadlineSeconds)) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) errs.push(invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    if (text(spec[field])) errs.push(...invalidEach(path.child(field), spec[field], dns1123Label(spec[field])));
  }
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  list(spec.hostAliases).forEach((a, i) => {
    const alias = record(a);
    const p = path.child('hostAliases').index(i);
    if (!isIPAddress(text(alias.ip))) errs.push(invalid(p.child('ip'), text(alias.ip), IP_MESSAGE));
    list(alias.hostnames).forEach((h, j) => errs.push(...invalidEach(p.child('hostnames').index(j), h, dns1123Subdomain(text(h)))));
  });
  if (isSet(spec.runtimeClassName)) errs.push(...invalidEach(path.child('runtimeClassName'), spec.runtimeClassName, dns1123Subdomain(text(spec.runtimeClassName))));
  if (isSet(spec.preemptionPolicy)) errs.push(...validateEnum(spec.preemptionPolicy, PREEMPTION_POLICIES, path.child('preemptionPolicy')));
  if (isSet(spec.overhead)) errs.push(...validateResourceRequirements({ limits: spec.overhead }, path.child('overhead')));
  if (isSet(spec.os)) {
    const name = text(record(spec.os).name);
    if (!name) errs.push(required(path.child('os', 'name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(name)) errs.push(notSupported(path.child('os'), name, ['linux', 'windows']));
  }
  if (opts.isPod) {
    for (const field of ['containers', 'initContainers'] as const) {
      list(spec[field]).forEach((c, i) => {
        const image = text(record(c).image);
        if (image !== image.trim()) errs.push(invalid(path.child(field).index(i).child('image'), image, 'must not have leading or trailing whitespace'));
      });
    }
  }
  return errs;
}

/** A PodTemplateSpec at `path` (e.g. `spec.template`): its labels, annotations and spec. */
export function validatePodTemplateSpec(templateRaw: unknown, path: Path): FieldError[] {
  const template = record(templateRaw);
  const meta = record(template.metadata);
  const errs = [
    ...validateLabels(meta.labels, path.child('labels')),
    ...validateAnnotations(meta.annotations, path.child('annotations')),
    ...validatePodSpec(template.spec, path.child('spec'), { isPod: false }),
  ];
  if (list(record(template.spec).ephemeralContainers).length > 0) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** The template's labels (`spec.template.metadata.labels`). */
export function templateLabels(template: unknown): Record<string, string> {
  return Object.fromEntries(sortedEntries(record(record(template).metadata).labels).map(([k, v]) => [k, text(v)]));
}
