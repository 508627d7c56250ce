/**
 * Test support for proxy/: Service and EndpointSlice objects, a chain prefix and addresses unique to
 * a run. Test Services use cluster IPs in 10.253.0.0/16 and NodePorts below 30000, away from what a
 * real cluster on this host allocates, so test rules never catch other traffic.
 */
import { randomBytes } from 'node:crypto';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL } from '../model.js';

/** A chain prefix for one test run, e.g. "TP3FA2". */
export const testPrefix = () => `TP${randomBytes(2).toString('hex').toUpperCase()}`;

/** A random number in [min, max]. */
export const randomIn = (min: number, max: number) => min + (randomBytes(2).readUInt16BE() % (max - min + 1));

export interface PortSpec {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  nodePort?: number;
}

/** A Service of `type` (ClusterIP by default) at `clusterIP`; `extra` is merged into its spec. */
export function testService(namespace: string, name: string, clusterIP: string, ports: PortSpec[], extra: Record<string, unknown> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: ports.map((p) => ({ protocol: 'TCP', ...p })), ...extra },
  };
}

export interface EndpointSpec {
  ip: string;
  nodeName?: string;
  /** Conditions; ready defaults to true, the others are left unset. */
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** An IPv4 EndpointSlice of Service `service` with the given ports and endpoints. */
export function testSlice(namespace: string, service: string, ports: PortSpec[], endpoints: EndpointSpec[], name = `${service}-1`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { [SERVICE_NAME_LABEL]: service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], nodeName: e.nodeName, conditions: { ready: e.ready ?? true, serving: e.serving, terminating: e.terminating } })),
  };
}
