/**
 * The ownership graph the garbage collector works on, kept by the shared informers: one
 * list+watch cache per deletable resource of the registry (all of them but Events, as upstream),
 * each indexed by the uids of its objects' owners, so that an object's dependents, of any kind, are
 * found with one index lookup per resource. Owner references resolve to a resource by group and
 * kind (any version: versions of a kind share storage).
 */
import { RESOURCES, type ResourceDef } from '../../api/registry.js';
import { byOwnerUid, keyOf, type Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';

const OWNER_INDEX = 'ownerUid';
/** Upstream's garbage collector ignores Events: there are many, and nothing owns through them. */
const IGNORED = new Set(['core/events']);

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** An object in the graph: its resource and the cached object. */
export interface GraphNode {
  def: ResourceDef;
  obj: any;
}

/** Resources the collector watches: stored, listable, watchable and deletable. */
export function collectedResources(): ResourceDef[] {
  return RESOURCES.filter((r) => r.storageVersion && !IGNORED.has(r.storage) && (['list', 'watch', 'delete'] as const).every((v) => r.verbs.includes(v)));
}

/** The resource an owner reference names, or undefined when this server does not serve that kind. */
export function resolveOwner(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): ResourceDef | undefined {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const def = RESOURCES.find((r) => r.group === group && r.kind === ref.kind);
  return def ? collectedResources().find((r) => r.storage === def.storage) : undefined;
}

/** `<storage>\t<namespace/name>`: a work-queue key naming one object of any resource. */
export function nodeKey(def: ResourceDef, obj: any): string {
  return `${def.storage}\t${keyOf(obj)}`;
}

export class OwnershipGraph {
  private readonly informers = new Map<string, { def: ResourceDef; informer: Informer }>();

  constructor(factory: InformerFactory) {
    for (const def of collectedResources()) {
      const informer = factory.of(def.storage);
      informer.addIndex(OWNER_INDEX, byOwnerUid);
      this.informers.set(def.storage, { def, informer });
    }
  }

  /** Every resource with its informer (to attach handlers). */
  resources(): { def: ResourceDef; informer: Informer }[] {
    return [...this.informers.values()];
  }

  /** Resolves once every informer has listed. */
  async synced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.informer.waitForSync()));
  }

  /** The object a work-queue key names, if cached. */
  get(key: string): GraphNode | undefined {
    const tab = key.indexOf('\t');
    const entry = this.informers.get(key.slice(0, tab));
    const obj = entry?.informer.get(key.slice(tab + 1));
    return entry && obj ? { def: entry.def, obj } : undefined;
  }

  /** Objects of any resource that name `uid` among their owners. */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const { def, informer } of this.informers.values()) for (const obj of informer.byIndex(OWNER_INDEX, uid)) out.push({ def, obj });
    return out;
  }

  /**
   * The cached owner a reference of an object in `namespace` names, when its uid matches; a
   * namespaced owner is looked up in the dependent's namespace.
   */
  owner(ref: OwnerReference, namespace: string | undefined): GraphNode | undefined {
    const def = resolveOwner(ref);
    if (!def) return undefined;
    const key = def.namespaced ? `${namespace}/${ref.name}` : ref.name;
    const obj = this.informers.get(def.storage)?.informer.get(key);
    return obj?.metadata?.uid === ref.uid ? { def, obj } : undefined;
  }
}
