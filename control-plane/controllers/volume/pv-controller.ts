/**
 * The PersistentVolume controller (upstream's persistentvolume-binder, pvc-protection and
 * pv-protection controllers in one): binds claims to volumes, keeps both phases current, and
 * takes the protection finalizers off claims no pod uses and volumes no claim holds, once they are
 * being deleted. Level-based: claims are reconciled under the key `claim/<ns>/<name>`, volumes
 * under `volume/<name>`; binding.ts decides, this file writes (each write carries the cached
 * resourceVersion; a 409 means the cache is behind and the key comes round again).
 */
import { storageResource } from '../../api/registry.js';
import { ANN, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../api/storage.js';
import { isAlreadyExists, isConflict, isNotFound, type ApiClient } from '../../client/api-client.js';
import { runController, type ControllerHandle, type ReconcileResult } from '../../client/controller.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { byNamespace, keyOf, type Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../context.js';
import { claimInUse, decideClaim, decideVolume, volumeInUse, type EventSpec } from './binding.js';

const CLAIMS = storageResource('core/persistentvolumeclaims');
const VOLUMES = storageResource('core/persistentvolumes');
const COMPONENT = 'persistentvolume-controller';
const NAMESPACE_INDEX = 'namespace';
const CLAIM_INDEX = 'claims';
const SYNC_WAIT_MS = 200;
/** Pending claims are looked at again this often (upstream's resync is 15 s). */
const PENDING_RESYNC_MS = 15_000;
/** The same event for the same object is recorded again after this long at most. */
const EVENT_REPEAT_MS = 60_000;

const claimInvolved = (c: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: c.metadata });
const volumeInvolved = (v: any) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { ...v.metadata, namespace: 'default' } });

class VolumeSync {
  private readonly lastEvents = new Map<string, { message: string; at: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly claims: Informer,
    private readonly volumes: Informer,
    private readonly classes: Informer,
    private readonly nodes: Informer,
    private readonly pods: Informer,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (![this.claims, this.volumes, this.classes, this.nodes, this.pods].every((i) => i.hasSynced())) return { requeueAfterMs: SYNC_WAIT_MS };
    if (key.startsWith('claim/')) return this.syncClaim(key.slice('claim/'.length));
    if (key.startsWith('volume/')) return this.syncVolume(key.slice('volume/'.length));
  }

  private event(obj: any, involved: any, e: EventSpec): void {
    const uid = obj.metadata.uid;
    const last = this.lastEvents.get(uid);
    const now = Date.now();
    if (last && last.message === e.reason + e.message && now - last.at < EVENT_REPEAT_MS) return;
    this.lastEvents.set(uid, { message: e.reason + e.message, at: now });
    this.recorder.event(involved, e.type, e.reason, e.message);
  }

  private async syncClaim(key: string): Promise<ReconcileResult | void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) return this.releaseClaim(claim);
    const decision = decideClaim({
      claim,
      volumes: this.volumes.list(),
      classes: new Map(this.classes.list().map((c) => [c.metadata.name, c])),
      nodes: new Map(this.nodes.list().map((n) => [n.metadata.name, n])),
    });
    switch (decision.kind) {
      case 'none':
        return;
      case 'lost':
        this.event(claim, claimInvolved(claim), decision.event);
        await this.ignoreStale(() => this.client.update(CLAIMS, claim.metadata.namespace, claim.metadata.name, { ...claim, status: { ...claim.status, phase: 'Lost' } }, 'status'));
        return;
      case 'pending':
        if (decision.annotations) {
          await this.ignoreStale(() =>
            this.client.patch(CLAIMS, claim.metadata.namespace, claim.metadata.name, 'merge', { metadata: { resourceVersion: claim.metadata.resourceVersion, annotations: decision.annotations } }),
          );
        }
        if (decision.event) this.event(claim, claimInvolved(claim), decision.event);
        return { requeueAfterMs: PENDING_RESYNC_MS };
      case 'bind':
        await this.bind(claim, decision.volume);
        return;
      case 'provision':
        if (decision.annotations) {
          await this.ignoreStale(() =>
            this.client.patch(CLAIMS, claim.metadata.namespace, claim.metadata.name, 'merge', { metadata: { resourceVersion: claim.metadata.resourceVersion, annotations: decision.annotations } }),
          );
        }
        try {
          await this.client.create(VOLUMES, undefined, decision.volume);
          this.event(claim, claimInvolved(claim), decision.event);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
        return { requeueAfterMs: SYNC_WAIT_MS };
    }
  }

  /** Binds volume → claim, then claim → volume; each step skipped when done. */
  private async bind(claim: any, cachedPv: any): Promise<void> {
    let pv = cachedPv;
    const ns = claim.metadata.namespace;
    const byController = !pv.spec?.claimRef;
    if (!pv.spec?.claimRef || !pv.spec.claimRef.uid) {
      const claimRef = { kind: 'PersistentVolumeClaim', namespace: ns, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
      const annotations = byController ? { ...(pv.metadata.annotations ?? {}), [ANN.boundByController]: 'yes' } : pv.metadata.annotations;
      pv = await this.client.update(VOLUMES, undefined, pv.metadata.name, { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef } });
    }
    if (pv.status?.phase !== 'Bound') {
      pv = await this.client.update(VOLUMES, undefined, pv.metadata.name, { ...pv, status: { ...pv.status, phase: 'Bound' } }, 'status');
    }
    let c = claim;
    if (c.spec?.volumeName !== pv.metadata.name || c.metadata.annotations?.[ANN.bindCompleted] !== 'yes') {
      const annotations: Record<string, string> = { ...(c.metadata.annotations ?? {}), [ANN.bindCompleted]: 'yes' };
      if (!c.spec?.volumeName) annotations[ANN.boundByController] = 'yes';
      c = await this.client.update(CLAIMS, ns, c.metadata.name, { ...c, metadata: { ...c.metadata, annotations }, spec: { ...c.spec, volumeName: pv.metadata.name } });
    }
    if (c.status?.phase !== 'Bound') {
      await this.client.update(CLAIMS, ns, c.metadata.name, { ...c, status: { ...c.status, phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity } }, 'status');
    }
  }

  /** pvc-protection: the finalizer comes off once no unfinished pod uses the claim. */
  private async releaseClaim(claim: any): Promise<ReconcileResult | void> {
    const finalizers: string[] = claim.metadata.finalizers ?? [];
    if (!finalizers.includes(PVC_PROTECTION_FINALIZER)) return;
    if (claimInUse(claim, this.pods.byIndex(NAMESPACE_INDEX, claim.metadata.namespace))) return; // a pod change enqueues the claim again
    await this.ignoreStale(() =>
      this.client.update(CLAIMS, claim.metadata.namespace, claim.metadata.name, { ...claim, metadata: { ...claim.metadata, finalizers: finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER) } }),
    );
  }

  private async syncVolume(name: string): Promise<ReconcileResult | void> {
    const pv = this.volumes.get(name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    let claim = ref ? this.claims.get(`${ref.namespace}/${ref.name}`) : undefined;
    if (ref && (!claim || (ref.uid && claim.metadata.uid !== ref.uid))) {
      // The cache may be behind a claim just made (a provisioned volume arrives before its claim's update): ask the API.
      try {
        claim = await this.client.get(CLAIMS, ref.namespace, ref.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        claim = undefined;
      }
    }
    const decision = decideVolume(pv, claim);
    if (decision.kind === 'phase') {
      if (decision.event) this.event(pv, volumeInvolved(pv), decision.event);
      await this.ignoreStale(() =>
        this.client.update(VOLUMES, undefined, name, { ...pv, status: { ...pv.status, phase: decision.phase, ...(decision.message ? { message: decision.message } : {}) } }, 'status'),
      );
      return;
    }
    if (pv.metadata.deletionTimestamp && !volumeInUse(pv)) {
      const finalizers: string[] = pv.metadata.finalizers ?? [];
      if (finalizers.includes(PV_PROTECTION_FINALIZER)) {
        await this.ignoreStale(() => this.client.update(VOLUMES, undefined, name, { ...pv, metadata: { ...pv.metadata, finalizers: finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER) } }));
      }
    }
  }

  private async ignoreStale(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}

const claimKeysOfPod = (pod: any): string[] =>
  ((pod.spec?.volumes ?? []) as any[]).filter((v) => v.persistentVolumeClaim?.claimName).map((v) => `${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);

/**
 * Starts the PersistentVolume controller on the shared informers (claims, volumes, StorageClasses,
 * nodes, pods); returns at once. Claims and volumes enqueue themselves and each other; a pod
 * change enqueues the claims it mounts (pvc-protection); a StorageClass or node change enqueues
 * every pending claim.
 */
export function startPersistentVolumeController(ctx: ControllerContext): ControllerHandle {
  const claims = ctx.informers.of('core/persistentvolumeclaims');
  const volumes = ctx.informers.of('core/persistentvolumes');
  const classes = ctx.informers.of('storage.k8s.io/storageclasses');
  const nodes = ctx.informers.of('core/nodes');
  const pods = ctx.informers.of('core/pods');
  pods.addIndex(NAMESPACE_INDEX, byNamespace);
  pods.addIndex(CLAIM_INDEX, claimKeysOfPod);
  const queue = new WorkQueue();
  const claimKey = (c: any) => `claim/${keyOf(c)}`;
  const volumeKey = (v: any) => `volume/${v.metadata.name}`;
  const onClaim = (c: any) => {
    queue.add(claimKey(c));
    if (c.spec?.volumeName) queue.add(`volume/${c.spec.volumeName}`);
    for (const v of volumes.list()) if (v.spec?.claimRef?.name === c.metadata.name && v.spec.claimRef.namespace === c.metadata.namespace) queue.add(volumeKey(v));
  };
  const onVolume = (v: any) => {
    queue.add(volumeKey(v));
    const ref = v.spec?.claimRef;
    if (ref) queue.add(`claim/${ref.namespace}/${ref.name}`);
    else for (const c of claims.list()) if (c.status?.phase !== 'Bound') queue.add(claimKey(c));
  };
  const pendingClaims = () => {
    for (const c of claims.list()) if (c.status?.phase !== 'Bound') queue.add(claimKey(c));
  };
  claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: onClaim });
  volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: onVolume });
  classes.addHandlers({ onAdd: pendingClaims, onUpdate: pendingClaims, onDelete: pendingClaims });
  nodes.addHandlers({ onAdd: pendingClaims });
  const onPod = (p: any) => {
    for (const k of claimKeysOfPod(p)) queue.add(`claim/${k}`);
  };
  pods.addHandlers({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: onPod });

  const sync = new VolumeSync(ctx.client, ctx.recorder(COMPONENT), claims, volumes, classes, nodes, pods);
  return runController('persistentvolume', queue, (key) => sync.reconcile(key), ctx.logger, 2);
}
