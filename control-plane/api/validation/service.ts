/**
 * core/v1 Services as upstream's ValidateService / ValidateServiceUpdate, plus the node port range
 * check upstream's allocator makes (30000-32767). Expects a defaulted Service (type,
 * sessionAffinity, port protocols and target ports, traffic policies, clusterIPs set from
 * clusterIP). As upstream, cluster IPs and node ports are allocated before validation.
 */
import { dns1123Label, dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, Shown, duplicate, forbidden, goStrings, invalid, invalidEach, notSupported, required } from './field.js';
import { CIDR_MESSAGE, IP_MESSAGE, isIPAddress, isIPv6, parseCIDR, portNumber, specialIPProblem } from './formats.js';
import { isSet, list, record, text } from './json.js';
import { type MetaRules, dns1035Name, validateEnum, validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from './meta.js';
import { PROTOCOLS, validatePortNumOrName } from './containers.js';

const RULES: MetaRules = { namespaced: true, name: dns1035Name };
const SPEC = Path.root('spec');
const CLUSTER_IPS = SPEC.child('clusterIPs');
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** The default node port range of upstream's allocator. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

function isHeadless(spec: Record<string, any>): boolean {
  const ips = list(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

function externallyAccessible(spec: Record<string, any>): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && list(spec.externalIPs).length > 0);
}

function needsHealthCheck(spec: Record<string, any>): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** Go's %#v of a []core.IPFamily. */
function goFamilies(families: unknown[]): Shown {
  return new Shown(`[]core.IPFamily{${families.map((f) => JSON.stringify(String(f))).join(', ')}}`);
}

/** Go's %#v of the (protocol, port) key upstream reports duplicate ports with. */
function portKey(protocol: string, port: unknown): Shown {
  return new Shown(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${Number(port) || 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validateServicePort(port: Record<string, any>, requireName: boolean, names: Set<string>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = text(port.name);
  if (requireName && !name) {
    errs.push(required(path.child('name')));
  } else if (name) {
    errs.push(...invalidEach(path.child('name'), name, dns1123Label(name)));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  errs.push(...invalidEach(path.child('port'), port.port ?? 0, portNumber(port.port)));
  errs.push(...validateEnum(port.protocol, PROTOCOLS, path.child('protocol')));
  errs.push(...validatePortNumOrName(port.targetPort, path.child('targetPort')));
  if (isSet(port.appProtocol)) errs.push(...validateQualifiedName(text(port.appProtocol), path.child('appProtocol')));
  return errs;
}

function validateClusterIPs(spec: Record<string, any>): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = list(spec.clusterIPs);
  const families = list(spec.ipFamilies);
  if (text(spec.clusterIP)) {
    if (ips.length === 0) errs.push(required(CLUSTER_IPS));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid(CLUSTER_IPS, goStrings(ips), 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalid(CLUSTER_IPS, goStrings(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(SPEC.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(SPEC.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  if (isSet(spec.ipFamilyPolicy) && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(SPEC.child('ipFamilyPolicy'), spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid(CLUSTER_IPS, goStrings(ips), "'None' must be the first and only value"));
      }
      return;
    }
    if (!isIPAddress(text(ip))) {
      badIPs = true;
      errs.push(invalid(CLUSTER_IPS.index(i), ip, IP_MESSAGE));
    }
  });
  if (ips.length > 2) errs.push(invalid(CLUSTER_IPS, goStrings(ips), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && isIPv6(ips[0]) === isIPv6(ips[1])) errs.push(invalid(CLUSTER_IPS, goStrings(ips), 'may specify no more than one IP for each IP family'));
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && isIPv6(ip)) errs.push(invalid(CLUSTER_IPS.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6(ip)) errs.push(invalid(CLUSTER_IPS.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateServiceSpec(spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const ports = list(spec.ports).map(record);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required(SPEC.child('ports')));
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) errs.push(invalid(CLUSTER_IPS.index(0), 'None', `may not be set to 'None' for ${spec.type} services`));
      break;
    case 'ExternalName': {
      if (list(spec.clusterIPs).length > 0) errs.push(forbidden(CLUSTER_IPS, 'may not be set for ExternalName services'));
      if (list(spec.ipFamilies).length > 0) errs.push(forbidden(SPEC.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (isSet(spec.ipFamilyPolicy)) errs.push(forbidden(SPEC.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = text(spec.externalName).replace(/\.$/, '');
      if (cname) errs.push(...invalidEach(SPEC.child('externalName'), cname, dns1123Subdomain(cname)));
      else errs.push(required(SPEC.child('externalName')));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, SPEC.child('ports').index(i))));
  if (isSet(spec.selector)) errs.push(...validateLabels(spec.selector, SPEC.child('selector')));
  errs.push(...validateEnum(spec.sessionAffinity, ['ClientIP', 'None'], SPEC.child('sessionAffinity')));
  const affinityPath = SPEC.child('sessionAffinityConfig');
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = record(record(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (!isSet(spec.sessionAffinityConfig)) errs.push(required(affinityPath, 'when session affinity type is ClientIP'));
    else if (!isSet(record(spec.sessionAffinityConfig).clientIP)) errs.push(required(affinityPath.child('clientIP'), 'when session affinity type is ClientIP'));
    else if (!isSet(timeout)) errs.push(required(affinityPath.child('clientIP', 'timeoutSeconds'), 'when session affinity type is ClientIP'));
    else if (typeof timeout !== 'number' || timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS) {
      errs.push(invalid(affinityPath.child('clientIP', 'timeoutSeconds'), timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (spec.sessionAffinity === 'None' && isSet(spec.sessionAffinityConfig)) {
    errs.push(forbidden(affinityPath, 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(spec));
  list(spec.externalIPs).forEach((ip, i) => {
    const p = SPEC.child('externalIPs').index(i);
    if (!isIPAddress(text(ip))) errs.push(invalid(p, ip, IP_MESSAGE));
    else {
      const problem = specialIPProblem(ip);
      if (problem) errs.push(invalid(p, ip, problem));
    }
  });
  errs.push(...validateEnum(spec.type, TYPES, SPEC.child('type')));
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const pp = SPEC.child('ports').index(i);
    if (p.nodePort) {
      if (spec.type === 'ClusterIP') errs.push(forbidden(pp.child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
      else if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max)) {
        errs.push(invalid(pp.child('nodePort'), p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
      }
      const key = `${text(p.protocol)}/${p.nodePort}`;
      if (nodePorts.has(key)) errs.push(duplicate(pp.child('nodePort'), p.nodePort));
      nodePorts.add(key);
    }
    const key = `${text(p.protocol)}/${p.port}`;
    if (portKeys.has(key)) errs.push(duplicate(pp, portKey(text(p.protocol), p.port)));
    portKeys.add(key);
  });
  const ranges = list(spec.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    const rp = SPEC.child('LoadBalancerSourceRanges');
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(rp, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      if (!parseCIDR(text(r).trim())) errs.push(invalid(rp.index(i), text(r).trim(), CIDR_MESSAGE));
    });
  }
  if (isSet(spec.allocateLoadBalancerNodePorts) && spec.type !== 'LoadBalancer') {
    errs.push(forbidden(SPEC.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts)) errs.push(required(Path.root('allocateLoadBalancerNodePorts')));
  if (isSet(spec.loadBalancerClass)) {
    if (spec.type === 'LoadBalancer') errs.push(...validateQualifiedName(text(spec.loadBalancerClass), SPEC.child('loadBalancerClass')));
    else errs.push(forbidden(SPEC.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (!externallyAccessible(spec)) {
    if (text(spec.externalTrafficPolicy)) errs.push(invalid(SPEC.child('externalTrafficPolicy'), spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...validateEnum(spec.externalTrafficPolicy, ['Cluster', 'Local'], SPEC.child('externalTrafficPolicy')));
  }
  if (!needsHealthCheck(spec)) {
    if (spec.healthCheckNodePort) {
      errs.push(invalid(SPEC.child('healthCheckNodePort'), spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (!spec.healthCheckNodePort) {
    errs.push(required(SPEC.child('healthCheckNodePort')));
  } else {
    errs.push(...invalidEach(SPEC.child('healthCheckNodePort'), spec.healthCheckNodePort, portNumber(spec.healthCheckNodePort)));
  }
  if (!isSet(spec.internalTrafficPolicy)) {
    if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) errs.push(required(SPEC.child('internalTrafficPolicy')));
  } else if (!['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported(SPEC.child('internalTrafficPolicy'), spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (isSet(spec.trafficDistribution) && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported(SPEC.child('trafficDistribution'), spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/** Cluster IPs may be added (upgrade to dual-stack) or the secondary removed, never changed; ExternalName is exempt. */
function validateClusterIPUpdate(spec: Record<string, any>, old: Record<string, any>): FieldError[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(old)) return [];
  const ips = list(spec.clusterIPs);
  const oldIPs = list(old.clusterIPs);
  const errs: FieldError[] = [];
  if (ips.length === oldIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(CLUSTER_IPS.index(i), goStrings(ips), 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid(CLUSTER_IPS.index(0), goStrings(ips), 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid(CLUSTER_IPS.index(0), goStrings(ips), 'may not change once set'));
    if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid(CLUSTER_IPS.index(0), goStrings(ips), 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(spec: Record<string, any>, old: Record<string, any>): FieldError[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName' || isHeadless(spec) || isHeadless(old)) return [];
  const fams = list(spec.ipFamilies);
  const oldFams = list(old.ipFamilies);
  const path = SPEC.child('ipFamilies').index(0);
  const errs: FieldError[] = [];
  if (fams.length === oldFams.length) {
    if (oldFams.some((f, i) => f !== fams[i])) errs.push(invalid(path, goFamilies(fams), 'may not change once set'));
  } else if (oldFams.length > fams.length) {
    if (list(spec.clusterIPs).length === 0) errs.push(invalid(path, goFamilies(fams), 'primary ipFamily can not be unset'));
    if (fams.length > 0 && fams[0] !== oldFams[0]) errs.push(invalid(path, goStrings(list(spec.clusterIPs)), 'may not change once set'));
    if (fams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length > 0 && fams[0] !== oldFams[0]) {
    errs.push(invalid(path, goStrings(list(spec.clusterIPs)), 'may not change once set'));
  }
  return errs;
}

export function validateService(obj: any, old?: any): FieldError[] {
  const spec = record(obj?.spec);
  if (old === undefined) return [...validateObjectMeta(obj?.metadata, RULES), ...validateServiceSpec(spec)];
  const oldSpec = record(old?.spec);
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateClusterIPUpdate(spec, oldSpec), ...validateIPFamiliesUpdate(spec, oldSpec)];
  if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && (oldSpec.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
    errs.push(invalid(SPEC.child('loadBalancerClass'), spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
    errs.push(forbidden(SPEC.child('healthCheckNodePort'), 'field is immutable'));
  }
  return errs.concat(validateServiceSpec(spec));
}
