/**
 * core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices as upstream validates them: addresses
 * valid and not special (loopback, link-local, unspecified), ports named when several, protocols
 * known, address type fixed once set. Expects defaulted port protocols.
 */
import { dns1123Label, dns1123Subdomain } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, duplicate, invalid, invalidEach, notSupported, required, tooMany } from './field.js';
import { IP_MESSAGE, fqdn, isIPAddress, portNumber, specialIPProblem } from './formats.js';
import { isIP } from 'node:net';
import { isSet, list, record, text } from './json.js';
import { type MetaRules, immutable, subdomainName, validateEnum, validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateQualifiedName } from './meta.js';
import { PROTOCOLS } from './containers.js';

const RULES: MetaRules = { namespaced: true, name: subdomainName };

function validateAddress(raw: unknown, path: Path): FieldError[] {
  const a = record(raw);
  const ip = text(a.ip);
  const errs: FieldError[] = [];
  if (!isIPAddress(ip)) errs.push(invalid(path.child('ip'), ip, IP_MESSAGE));
  if (text(a.hostname)) errs.push(...invalidEach(path.child('hostname'), a.hostname, dns1123Label(a.hostname)));
  if (isSet(a.nodeName)) errs.push(...invalidEach(path.child('nodeName'), text(a.nodeName), dns1123Subdomain(text(a.nodeName))));
  const problem = isIPAddress(ip) ? specialIPProblem(ip) : 'must be a valid IP address';
  if (problem) errs.push(invalid(path.child('ip'), ip, problem));
  return errs;
}

function validatePort(raw: unknown, requireName: boolean, path: Path): FieldError[] {
  const p = record(raw);
  const errs: FieldError[] = [];
  const name = text(p.name);
  if (requireName && !name) errs.push(required(path.child('name')));
  else if (name) errs.push(...invalidEach(path.child('name'), name, dns1123Label(name)));
  errs.push(...invalidEach(path.child('port'), p.port ?? 0, portNumber(p.port)));
  errs.push(...validateEnum(p.protocol, PROTOCOLS, path.child('protocol')));
  if (isSet(p.appProtocol)) errs.push(...validateQualifiedName(text(p.appProtocol), path.child('appProtocol')));
  return errs;
}

export function validateEndpoints(obj: any, old?: any): FieldError[] {
  const errs = old === undefined ? validateObjectMeta(obj?.metadata, RULES) : [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateObjectMeta(obj?.metadata, RULES)];
  list(obj?.subsets).forEach((raw, i) => {
    const ss = record(raw);
    const p = Path.root('subsets').index(i);
    if (list(ss.addresses).length === 0 && list(ss.notReadyAddresses).length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    list(ss.addresses).forEach((a, j) => errs.push(...validateAddress(a, p.child('addresses').index(j))));
    list(ss.notReadyAddresses).forEach((a, j) => errs.push(...validateAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = list(ss.ports);
    ports.forEach((port, j) => errs.push(...validatePort(port, ports.length > 1, p.child('ports').index(j))));
  });
  return errs;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;

function validateSliceEndpoint(raw: unknown, addressType: string, path: Path): FieldError[] {
  const e = record(raw);
  const errs: FieldError[] = [];
  const addrPath = path.child('addresses');
  const addresses = list(e.addresses);
  if (addresses.length === 0) errs.push(required(addrPath, 'must contain at least 1 address'));
  else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(addrPath, addresses.length, MAX_ADDRESSES));
  addresses.forEach((raw2, i) => {
    const address = text(raw2);
    const p = addrPath.index(i);
    if (addressType === 'IPv4' || addressType === 'IPv6') {
      const family = addressType === 'IPv4' ? 4 : 6;
      if (isIP(address) !== family) errs.push(invalid(p, address, `must be a valid ${addressType} address`));
      else {
        const problem = specialIPProblem(address);
        if (problem) errs.push(invalid(p, address, problem));
      }
    } else if (addressType === 'FQDN') {
      if (!address) errs.push(required(p));
      else {
        const problem = fqdn(address);
        if (problem) errs.push(invalid(p, problem.value, problem.message));
      }
    }
  });
  if (isSet(e.nodeName)) errs.push(...invalidEach(path.child('nodeName'), text(e.nodeName), dns1123Subdomain(text(e.nodeName))));
  const topology = record(e.deprecatedTopology);
  const topologyPath = path.child('deprecatedTopology');
  if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(topologyPath, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
  errs.push(...validateLabels(topology, topologyPath));
  if (isSet(e.hostname)) errs.push(...invalidEach(path.child('hostname'), text(e.hostname), dns1123Label(text(e.hostname))));
  return errs;
}

function validateSlicePorts(ports: unknown[], path: Path): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany(path, ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = record(raw);
    const pp = path.index(i);
    const name = text(p.name);
    if (name) errs.push(...invalidEach(pp.child('name'), name, dns1123Label(name)));
    if (names.has(name)) errs.push(duplicate(pp.child('name'), name));
    names.add(name);
    if (!isSet(p.protocol)) errs.push(required(pp.child('protocol')));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(pp.child('protocol'), p.protocol, PROTOCOLS));
    if (isSet(p.appProtocol)) errs.push(...validateQualifiedName(text(p.appProtocol), pp.child('appProtocol')));
  });
  return errs;
}

export function validateEndpointSlice(obj: any, old?: any): FieldError[] {
  const slice = record(obj);
  const errs = old === undefined ? validateObjectMeta(slice.metadata, RULES) : validateObjectMetaUpdate(slice.metadata, old?.metadata);
  const addressType = text(slice.addressType);
  if (!addressType) errs.push(required(Path.root('addressType')));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported(Path.root('addressType'), addressType, ADDRESS_TYPES));
  const endpoints = list(slice.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany(Path.root('endpoints'), endpoints.length, MAX_ENDPOINTS));
  else endpoints.forEach((e, i) => errs.push(...validateSliceEndpoint(e, addressType, Path.root('endpoints').index(i))));
  errs.push(...validateSlicePorts(list(slice.ports), Path.root('ports')));
  if (old !== undefined) errs.push(...immutable(addressType, text(old?.addressType), Path.root('addressType')));
  return errs;
}
