/** Test objects for the endpoint controllers' pure functions: Services, pods and nodes as the API stores them. */
import type { Container, Node, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export interface PodOptions {
  ip?: string | null;
  ready?: boolean;
  deleting?: boolean;
  phase?: string;
  node?: string;
  labels?: Record<string, string>;
  ports?: Container['ports'];
  hostname?: string;
  subdomain?: string;
  namespace?: string;
}

let uid = 0;

export function pod(name: string, o: PodOptions = {}): Pod {
  uid++;
  const ip = o.ip === undefined ? `10.244.${Math.floor(uid / 250) % 250}.${(uid % 250) + 2}` : o.ip;
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: String(uid),
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-a',
      containers: [{ name: 'c', image: 'i', ports: o.ports }],
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export interface ServiceOptions {
  ports?: ServicePort[];
  selector?: Record<string, string> | null;
  publishNotReadyAddresses?: boolean;
  clusterIP?: string;
  labels?: Record<string, string>;
  uid?: string;
}

export function service(name: string, o: ServiceOptions = {}): Service {
  return {
    metadata: { name, namespace: 'default', uid: o.uid ?? `svc-uid-${name}`, labels: o.labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: o.clusterIP ?? '10.96.10.10',
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export function node(name: string, zone?: string): Node {
  return { metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } };
}

/** A node lookup over these nodes. */
export function nodesOf(...nodes: Node[]): (name: string) => Node | undefined {
  const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  return (name) => byName.get(name);
}
