/** Printers of networking kinds: Service, Endpoints, EndpointSlice, Ingress, IngressClass, NetworkPolicy. */
import { formatLabels } from '../labels.js';
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { formatLabelSelector, listWithMore, loadBalancerIngress } from './format.js';

/** EXTERNAL-IP of a Service as upstream's getServiceExternalIP (never truncated: the server prints wide). */
function serviceExternalIP(svc: any): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `80/TCP,443:30443/TCP`. */
function servicePorts(ports: any[] | undefined): string {
  const text = (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`)).join(',');
  return text || '<none>';
}

export const serviceTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', DOC['ServiceSpec.type']),
    column('Cluster-IP', 'string', DOC['ServiceSpec.clusterIP']),
    column('External-IP', 'string', DOC['ServiceSpec.externalIPs']),
    column('Port(s)', 'string', DOC['ServiceSpec.ports']),
    AGE_COLUMN,
    column('Selector', 'string', DOC['ServiceSpec.selector'], 1),
  ],
  row(svc, now) {
    return [
      nameOf(svc),
      svc.spec?.type ?? '',
      svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>',
      serviceExternalIP(svc),
      servicePorts(svc.spec?.ports),
      ageOf(svc, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};

const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** ENDPOINTS of an Endpoints object: up to three `ip:port` entries and how many more there are. */
function formatEndpoints(subsets: any[] | undefined): string {
  if (!subsets?.length) return '<none>';
  const entries: string[] = [];
  for (const ss of subsets) {
    const addresses: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports ?? [];
    if (ports.length === 0) entries.push(...addresses.map((a) => a.ip ?? ''));
    else for (const port of ports) entries.push(...addresses.map((a) => hostPort(a.ip ?? '', port.port)));
  }
  const shown = entries.slice(0, 3).join(',');
  return entries.length > 3 ? `${shown} + ${entries.length - 3} more...` : shown;
}

export const endpointsTable: TableDef = {
  columns: [NAME_COLUMN, column('Endpoints', 'string', DOC['Endpoints.subsets']), AGE_COLUMN],
  row(ep, now) {
    return [nameOf(ep), formatEndpoints(ep.subsets), ageOf(ep, now)];
  },
};

export const endpointSliceTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'string', DOC['EndpointSlice.addressType']),
    column('Ports', 'string', DOC['EndpointSlice.ports']),
    column('Endpoints', 'string', DOC['EndpointSlice.endpoints']),
    AGE_COLUMN,
  ],
  row(slice, now) {
    const ports = (slice.ports ?? []).map((p: any) => (typeof p.port === 'number' ? String(p.port) : (p.name ?? '*')));
    const addresses = (slice.endpoints ?? []).flatMap((e: any) => e.addresses ?? []);
    return [nameOf(slice), slice.addressType ?? '', listWithMore(ports), listWithMore(addresses), ageOf(slice, now)];
  },
};

/** HOSTS of an Ingress: up to three rule hosts, '*' when no rule names one. */
function ingressHosts(rules: any[] | undefined): string {
  const list = rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of list) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${list.length - 3} more...` : hosts.join(',');
}

export const ingressTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  row(ing, now) {
    return [
      nameOf(ing),
      ing.spec?.ingressClassName ?? '<none>',
      ingressHosts(ing.spec?.rules),
      loadBalancerIngress(ing.status?.loadBalancer?.ingress),
      ing.spec?.tls?.length ? '80, 443' : '80',
      ageOf(ing, now),
    ];
  },
};

export const ingressClassTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  row(ic, now) {
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind ?? ''}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [nameOf(ic), ic.spec?.controller ?? '', parameters, ageOf(ic, now)];
  },
};

export const networkPolicyTable: TableDef = {
  columns: [NAME_COLUMN, column('Pod-Selector', 'string', DOC['NetworkPolicySpec.podSelector']), AGE_COLUMN],
  row(np, now) {
    return [nameOf(np), formatLabelSelector(np.spec?.podSelector), ageOf(np, now)];
  },
};
