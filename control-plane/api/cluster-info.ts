/**
 * The cluster-info ConfigMap in kube-public, as kubeadm publishes it: a kubeconfig with the API
 * server's URL and the cluster CA, and no credentials. It is the one object anonymous requests may
 * read, so that a joining node can fetch the CA before it trusts anything, and then check it against
 * the CA hash it was given (--ca-cert-hash).
 */
import { parse, stringify } from 'yaml';

export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' } as const;

/** The path anonymous requests may GET. */
export const CLUSTER_INFO_PATH = `/api/v1/namespaces/${CLUSTER_INFO.namespace}/configmaps/${CLUSTER_INFO.name}`;

export interface ClusterInfo {
  /** https://host:port the server announces. */
  server: string;
  caCertPem: string;
}

/** The ConfigMap publishing `info`. Pure. */
export function clusterInfoConfigMap(info: ClusterInfo): { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: { name: string; namespace: string }; data: { kubeconfig: string } } {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server: info.server, 'certificate-authority-data': Buffer.from(info.caCertPem).toString('base64') } }],
    contexts: null,
    'current-context': '',
    preferences: {},
    users: null,
  };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CLUSTER_INFO.name, namespace: CLUSTER_INFO.namespace }, data: { kubeconfig: stringify(kubeconfig) } };
}

/** What a cluster-info ConfigMap says; throws an Error naming what is missing. */
export function parseClusterInfo(configMap: any): ClusterInfo {
  const text = configMap?.data?.kubeconfig;
  if (typeof text !== 'string') throw new Error('the cluster-info ConfigMap has no data.kubeconfig');
  const cluster = parse(text)?.clusters?.[0]?.cluster;
  const ca = cluster?.['certificate-authority-data'];
  if (typeof cluster?.server !== 'string' || typeof ca !== 'string') throw new Error('the kubeconfig in cluster-info has no cluster with a server and certificate-authority-data');
  return { server: cluster.server, caCertPem: Buffer.from(ca, 'base64').toString('utf8') };
}
