/**
 * networking.k8s.io/v1 NetworkPolicies, Ingresses and IngressClasses as upstream validates them:
 * policy ports, peers and policy types; ingress rules (hosts, path types, backends) and TLS;
 * ingress class controllers (domain-prefixed, immutable).
 */
import { dns1035Label, dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, forbidden, invalid, invalidEach, notSupported, required, tooLong } from './field.js';
import { CIDR_MESSAGE, domainPrefixedPath, isIPAddress, parseCIDR, portName, portNumber, wildcardDNS1123Subdomain } from './formats.js';
import { isSet, list, record, text } from './json.js';
import { type MetaRules, immutable, subdomainName, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const NAMESPACED: MetaRules = { namespaced: true, name: subdomainName };

function meta(obj: any, old: any, rules: MetaRules): FieldError[] {
  return old === undefined ? validateObjectMeta(obj?.metadata, rules) : validateObjectMetaUpdate(obj?.metadata, old?.metadata);
}

function validatePolicyPort(raw: unknown, path: Path): FieldError[] {
  const port = record(raw);
  const errs: FieldError[] = [];
  if (isSet(port.protocol) && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) errs.push(notSupported(path.child('protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  if (typeof port.port === 'number') {
    errs.push(...invalidEach(path.child('port'), port.port, portNumber(port.port)));
    if (isSet(port.endPort)) {
      if (port.endPort < port.port) errs.push(invalid(path.child('endPort'), port.port, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(path.child('endPort'), port.endPort, portNumber(port.endPort)));
    }
  } else if (typeof port.port === 'string') {
    if (isSet(port.endPort)) errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(path.child('port'), port.port, portName(port.port)));
  } else if (isSet(port.endPort)) {
    errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(raw: unknown, path: Path): FieldError[] {
  const block = record(raw);
  const cidr = text(block.cidr);
  if (!cidr) return [required(path.child('cidr'))];
  const outer = parseCIDR(cidr);
  if (!outer) return [invalid(path.child('cidr'), cidr, CIDR_MESSAGE)];
  const errs: FieldError[] = [];
  list(block.except).forEach((e, i) => {
    const p = path.child('except').index(i);
    const inner = parseCIDR(text(e));
    if (!inner) errs.push(invalid(p, e, CIDR_MESSAGE));
    else if (inner.family !== outer.family || inner.bits <= outer.bits || !cidrContains(outer, inner.address)) errs.push(invalid(p, e, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function cidrContains(net: { family: 4 | 6; address: string; bits: number }, address: string): boolean {
  const width = net.family === 4 ? 32 : 128;
  const shift = BigInt(width - net.bits);
  return addressBits(net.address, net.family) >> shift === addressBits(address, net.family) >> shift;
}

function validatePeer(raw: unknown, path: Path): FieldError[] {
  const peer = record(raw);
  const errs: FieldError[] = [];
  let count = 0;
  if (isSet(peer.podSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.podSelector, path.child('podSelector')));
  }
  if (isSet(peer.namespaceSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, path.child('namespaceSelector')));
  }
  if (isSet(peer.ipBlock)) {
    count++;
    errs.push(...validateIPBlock(peer.ipBlock, path.child('ipBlock')));
  }
  if (count === 0) errs.push(required(path, 'must specify a peer'));
  else if (count > 1 && isSet(peer.ipBlock)) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicy(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const sp = Path.root('spec');
  const errs = [...meta(obj, old, NAMESPACED), ...validateLabelSelector(spec.podSelector ?? {}, sp.child('podSelector'))];
  for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[direction]).forEach((rule, i) => {
      const rp = sp.child(direction).index(i);
      list(record(rule).ports).forEach((port, j) => errs.push(...validatePolicyPort(port, rp.child('ports').index(j))));
      list(record(rule)[peers]).forEach((peer, j) => errs.push(...validatePeer(peer, rp.child(peers).index(j))));
    });
  }
  const types = list(spec.policyTypes);
  if (types.length > 2) {
    errs.push(invalid(sp.child('policyTypes'), types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(sp.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateBackend(raw: unknown, path: Path): FieldError[] {
  const backend = record(raw);
  const hasResource = isSet(backend.resource);
  const hasService = isSet(backend.service);
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = record(backend.resource);
    const errs: FieldError[] = [];
    if (!text(r.kind)) errs.push(required(path.child('resource', 'kind')));
    if (!text(r.name)) errs.push(required(path.child('resource', 'name')));
    return errs;
  }
  if (!hasService) return [invalid(path, '', 'resource or service backend is required')];
  const svc = record(backend.service);
  const errs: FieldError[] = [];
  const name = text(svc.name);
  if (!name) errs.push(required(path.child('service', 'name')));
  else errs.push(...invalidEach(path.child('service', 'name'), name, dns1035Label(name)));
  const port = record(svc.port);
  const hasName = text(port.name).length > 0;
  const hasNumber = typeof port.number === 'number' && port.number !== 0;
  if (hasName && hasNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (hasName) errs.push(...invalidEach(path.child('service', 'port', 'name'), port.name, portName(port.name)));
  else if (hasNumber) errs.push(...invalidEach(path.child('service', 'port', 'number'), port.number, portNumber(port.number)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validateIngressPath(raw: unknown, path: Path): FieldError[] {
  const p = record(raw);
  if (!isSet(p.pathType)) return [required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = text(p.path);
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      if (value) {
        for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child('path'), value, `must not contain '${seq}'`));
        for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(path.child('path'), value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(path.child('pathType'), p.pathType, PATH_TYPES));
  }
  return errs.concat(validateBackend(p.backend, path.child('backend')));
}

function validateHost(host: string, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (isIPAddress(host)) errs.push(invalid(path, host, 'must be a DNS name, not an IP address'));
  const problems = host.includes('*') ? wildcardDNS1123Subdomain(host) : dns1123Subdomain(host);
  return errs.concat(invalidEach(path, host, problems));
}

export function validateIngress(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const sp = Path.root('spec');
  const errs = meta(obj, old, NAMESPACED);
  const rules = list(spec.rules);
  if (rules.length === 0 && !isSet(spec.defaultBackend)) errs.push(invalid(sp, rules, 'either `defaultBackend` or `rules` must be specified'));
  if (isSet(spec.defaultBackend)) errs.push(...validateBackend(spec.defaultBackend, sp.child('defaultBackend')));
  rules.forEach((raw, i) => {
    const rule = record(raw);
    const rp = sp.child('rules').index(i);
    if (text(rule.host)) errs.push(...validateHost(rule.host, rp.child('host')));
    if (isSet(rule.http)) {
      const paths = list(record(rule.http).paths);
      if (paths.length === 0) errs.push(required(rp.child('http', 'paths')));
      paths.forEach((p, j) => errs.push(...validateIngressPath(p, rp.child('http', 'paths').index(j))));
    }
  });
  list(spec.tls).forEach((raw, i) => {
    const tls = record(raw);
    const tp = sp.child('tls').index(i);
    list(tls.hosts).forEach((h, j) => {
      const host = text(h);
      errs.push(...invalidEach(tp.child('hosts').index(j), host, host.includes('*') ? wildcardDNS1123Subdomain(host) : dns1123Subdomain(host)));
    });
    if (text(tls.secretName)) errs.push(...invalidEach(tp.child('secretName'), tls.secretName, dns1123Subdomain(tls.secretName)));
  });
  if (isSet(spec.ingressClassName)) errs.push(...invalidEach(sp.child('ingressClassName'), text(spec.ingressClassName), dns1123Subdomain(text(spec.ingressClassName))));
  return errs;
}

const MAX_CONTROLLER_LENGTH = 250;

export function validateIngressClass(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  const cp = Path.root('spec', 'controller');
  const errs = meta(obj, old, { namespaced: false, name: subdomainName });
  const controller = text(spec.controller);
  if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong(cp, MAX_CONTROLLER_LENGTH));
  if (!controller) errs.push(required(cp));
  else for (const [value, message] of domainPrefixedPath(controller)) errs.push(invalid(cp, value, message));
  if (isSet(spec.parameters)) {
    const params = record(spec.parameters);
    const pp = Path.root('spec', 'parameters');
    if (!text(params.kind)) errs.push(required(pp.child('kind')));
    if (!text(params.name)) errs.push(required(pp.child('name')));
    if (isSet(params.scope) && params.scope !== 'Cluster' && params.scope !== 'Namespace') errs.push(notSupported(pp.child('scope'), params.scope, ['Cluster', 'Namespace']));
    if (params.scope === 'Namespace' && !text(params.namespace)) errs.push(required(pp.child('namespace'), '`parameters.scope` is set to "Namespace"'));
    if (params.scope === 'Cluster' && isSet(params.namespace)) errs.push(forbidden(pp.child('namespace'), '`parameters.scope` is set to "Cluster"'));
  }
  if (old !== undefined) errs.push(...immutable(controller, text(old?.spec?.controller), cp));
  return errs;
}
