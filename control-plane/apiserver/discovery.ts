/**
 * Discovery documents built from the registry: aggregated discovery (apidiscovery.k8s.io v2 and
 * v2beta1, which kubectl 1.30+ / 1.27–1.29 ask for) and the legacy APIVersions, APIGroupList,
 * APIGroup and APIResourceList. Pure; computed once per server.
 */
import { groupVersions, RESOURCES, type ResourceDef, type SubresourceName, type Verb } from '../api/registry.js';

interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** What each subresource answers with and which verbs it takes, as upstream serves them. */
const SUBRESOURCES: Record<SubresourceName, { kind: (def: ResourceDef) => GVK; verbs: Verb[] }> = {
  status: { kind: (d) => ({ group: d.group, version: d.version, kind: d.kind }), verbs: ['get', 'patch', 'update'] },
  scale: { kind: () => ({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), verbs: ['get', 'patch', 'update'] },
  binding: { kind: () => ({ group: '', version: 'v1', kind: 'Binding' }), verbs: ['create'] },
  eviction: { kind: () => ({ group: 'policy', version: 'v1', kind: 'Eviction' }), verbs: ['create'] },
  log: { kind: (d) => ({ group: d.group, version: d.version, kind: d.kind }), verbs: ['get'] },
  exec: { kind: () => ({ group: '', version: 'v1', kind: 'PodExecOptions' }), verbs: ['create', 'get'] },
  attach: { kind: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions' }), verbs: ['create', 'get'] },
  portforward: { kind: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions' }), verbs: ['create', 'get'] },
  proxy: { kind: (d) => ({ group: '', version: 'v1', kind: `${d.kind}ProxyOptions` }), verbs: ['create', 'delete', 'get', 'patch', 'update'] },
};

function resourcesOf(group: string, version: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

function aggregatedResource(def: ResourceDef) {
  const out: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs,
  };
  if (def.shortNames.length) out.shortNames = def.shortNames;
  if (def.categories.length) out.categories = def.categories;
  if (def.subresources.length) {
    out.subresources = def.subresources.map((s) => ({ subresource: s, responseKind: SUBRESOURCES[s].kind(def), verbs: SUBRESOURCES[s].verbs }));
  }
  return out;
}

/** The aggregated discovery version the Accept header asks for first, or undefined for the legacy documents. */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const params = new Set(entry.split(';').slice(1).map((p) => p.trim()));
    if (!params.has('as=APIGroupDiscoveryList') || !params.has('g=apidiscovery.k8s.io')) continue;
    if (params.has('v=v2')) return 'v2';
    if (params.has('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

/** The aggregated discovery list for /api (core: true) or /apis (core: false). */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1') {
  const items = groupVersions()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: g.group ? { name: g.group, creationTimestamp: null } : { creationTimestamp: null },
      versions: g.versions.map((v) => ({ version: v, resources: resourcesOf(g.group, v).map(aggregatedResource), freshness: 'Current' })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: string[]) {
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

export function apiGroupList() {
  const groups = groupVersions()
    .filter((g) => g.group !== '')
    .map((g) => apiGroup(g.group, g.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** /apis/<group>, or undefined when the group is not served. */
export function apiGroupDocument(group: string) {
  const g = groupVersions().find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) } : undefined;
}

/** /api/v1 or /apis/<group>/<version>, or undefined when not served. */
export function apiResourceList(group: string, version: string) {
  const defs = resourcesOf(group, version);
  if (defs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const def of defs) {
    const entry: Record<string, unknown> = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs };
    if (def.shortNames.length) entry.shortNames = def.shortNames;
    if (def.categories.length) entry.categories = def.categories;
    resources.push(entry);
    for (const s of def.subresources) {
      const kind = SUBRESOURCES[s].kind(def);
      const sub: Record<string, unknown> = { name: `${def.plural}/${s}`, singularName: '', namespaced: def.namespaced, kind: kind.kind, verbs: SUBRESOURCES[s].verbs };
      if (kind.group !== def.group || kind.version !== def.version) {
        if (kind.group) sub.group = kind.group;
        sub.version = kind.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
