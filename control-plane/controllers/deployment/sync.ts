/**
 * One sync of one Deployment, as upstream's syncDeployment: claim its ReplicaSets, then, in
 * upstream's order of precedence, only refresh status while it is being deleted, apply scaling
 * while paused or when spec.replicas changed, or else take one step of its strategy (RollingUpdate
 * or Recreate), clean up old revisions once a rollout is complete, and write the status. Decisions
 * come from the pure modules beside this one; this file performs them (ReplicaSet creates,
 * updates and deletes, status writes, events). Every write carries the resourceVersion it was
 * based on: a stale cache makes it fail with a conflict and the key is retried.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { selectorFromLabelSelector, type LabelSelector } from '../../api/labels.js';
import { controllerRefOf, newControllerRef } from '../../api/owner-references.js';
import { storageResource } from '../../api/registry.js';
import { isAlreadyExists, isNotFound, type ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { claimObjects, NAMESPACE_INDEX, OWNER_UID_INDEX, type Stored } from '../replicaset-controller-ref.js';
import { maxRevision, REVISION, replicasAnnotationsNeedUpdate, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations } from './annotations.js';
import { replicaSetsToCleanUp } from './cleanup.js';
import { getCondition, Message, newCondition, PROGRESSING, Reason, setCondition } from './conditions.js';
import { desiredReplicas, maxSurge } from './fenceposts.js';
import { canonicalJson, equalIgnoreHash } from './hash.js';
import { newReplicaSetFor } from './new-replicaset.js';
import { hasProgressDeadline, deploymentComplete, pausedStatus, rolloutStatus, stuckRequeueAfterMs } from './progress.js';
import { isScalingEvent, proportionalScale } from './proportional.js';
import { recreateStep } from './recreate.js';
import { findNewReplicaSet, findOldReplicaSets, specReplicas, type ScaleAction } from './replicasets.js';
import { rollingUpdateStep } from './rolling.js';
import { calculateStatus, sameStatus } from './status.js';

const deployments = storageResource('apps/deployments');
const replicaSets = storageResource('apps/replicasets');

export interface DeploymentSyncDeps {
  client: ApiClient;
  recorder: EventRecorder;
  replicaSets: Informer<Stored<ReplicaSet>>;
  pods: Informer<Stored<Pod>>;
  log: Logger;
  now: () => number;
}

interface ReplicaSetsOf {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/**
 * Syncs the Deployment `cached` (from the informer; not modified). Resolves to a delay after which
 * it must be looked at again (to detect a progress deadline), or undefined. Rejects on a failed
 * write; the caller retries with backoff. Safe to repeat.
 */
export function syncDeployment(deps: DeploymentSyncDeps, cached: Deployment): Promise<number | undefined> {
  return new DeploymentSync(deps, structuredClone(cached)).run();
}

class DeploymentSync {
  constructor(
    private readonly deps: DeploymentSyncDeps,
    /** The Deployment as last read or written: status writes update it. */
    private d: Deployment,
  ) {}

  private get ns(): string {
    return this.d.metadata!.namespace!;
  }

  private get name(): string {
    return this.d.metadata!.name!;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: this.d.metadata ?? {} }, type, reason, message);
  }

  async run(): Promise<number | undefined> {
    const sel = this.d.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((this.d.status?.observedGeneration ?? 0) < (this.d.metadata?.generation ?? 0)) {
        this.d.status = { ...(this.d.status ?? {}), observedGeneration: this.d.metadata?.generation };
        await this.writeStatus();
      }
      return undefined;
    }
    const selector = selectorFromLabelSelector(sel);
    const rsList = await this.claimReplicaSets(selector);
    if (this.d.metadata?.deletionTimestamp) return this.syncStatusOnly(rsList);
    await this.checkPausedConditions();
    if (this.d.spec?.paused) return this.syncScaling(rsList);
    if (await this.scalingEvent(rsList)) return this.syncScaling(rsList);
    if (this.d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(rsList, this.podsByReplicaSet(rsList, selector));
    return this.rolloutRolling(rsList);
  }

  // ---- reading ----

  /** The ReplicaSets this Deployment controls after adopting orphans and releasing misfits. */
  private claimReplicaSets(selector: LabelSelector): Promise<ReplicaSet[]> {
    const { client } = this.deps;
    const d = this.d;
    return claimObjects(this.deps.replicaSets.byIndex(NAMESPACE_INDEX, this.ns), {
      owner: d,
      selector,
      ref: newControllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata }),
      canAdopt: async () => {
        const fresh = await client.get<Deployment>(deployments, this.ns, this.name);
        if (fresh.metadata?.uid !== d.metadata?.uid) throw new Error(`original Deployment ${this.ns}/${this.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${d.metadata?.uid}`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`Deployment ${this.ns}/${this.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
      patch: async (rs, patch) => {
        await client.patch(replicaSets, this.ns, rs.metadata!.name!, 'strategic', patch);
      },
    });
  }

  /** The Deployment's pods, by the uid of the ReplicaSet controlling them. */
  private podsByReplicaSet(rsList: ReplicaSet[], selector: LabelSelector): Map<string, Pod[]> {
    const byRs = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata!.uid!;
      const pods = this.deps.pods.byIndex(OWNER_UID_INDEX, uid).filter((p) => controllerRefOf(p)?.uid === uid && selector.matches(p.metadata?.labels));
      byRs.set(uid, pods);
    }
    return byRs;
  }

  // ---- writing ----

  /**
   * Writes status and, as upstream's /status of Deployments allows, the annotations the sync
   * changed (the revision). Where the server keeps metadata out of /status writes, the changed
   * annotations follow in a patch conditioned on the status write's resourceVersion.
   */
  private async writeStatus(): Promise<void> {
    const { client } = this.deps;
    const wanted = this.d.metadata?.annotations ?? {};
    let written = await client.update<Deployment>(deployments, this.ns, this.name, this.d, 'status');
    const got = written.metadata?.annotations ?? {};
    if (canonicalJson(wanted) !== canonicalJson(got)) {
      const changed = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => got[k] !== v));
      written = await client.patch<Deployment>(deployments, this.ns, this.name, 'merge', { metadata: { resourceVersion: written.metadata?.resourceVersion, annotations: changed } });
    }
    this.d = written;
  }

  /** Sets spec.replicas and the replicas annotations of `rs`; records ScalingReplicaSet when its size changed. */
  private async scaleReplicaSet(rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const from = specReplicas(rs);
    if (from === replicas && !replicasAnnotationsNeedUpdate(rs, desired, max)) return rs;
    const copy = structuredClone(rs);
    copy.spec!.replicas = replicas;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.deps.client.update<ReplicaSet>(replicaSets, this.ns, rs.metadata!.name!, copy);
    if (from !== replicas) this.event('Normal', 'ScalingReplicaSet', `Scaled ${from < replicas ? 'up' : 'down'} replica set ${rs.metadata!.name} from ${from} to ${replicas}`);
    return updated;
  }

  private async apply(actions: ScaleAction[]): Promise<void> {
    for (const a of actions) await this.scaleReplicaSet(a.rs, a.replicas);
  }

  /** Deletes old ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(this.d, oldRSs)) {
      this.deps.log.debug({ deployment: `${this.ns}/${this.name}`, replicaSet: rs.metadata?.name }, 'deleting old replica set');
      try {
        await this.deps.client.delete(replicaSets, this.ns, rs.metadata!.name!, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- the new ReplicaSet and revisions ----

  private async replicaSetsOf(rsList: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSetsOf> {
    const oldRSs = findOldReplicaSets(this.d, rsList);
    const newRS = await this.newReplicaSet(rsList, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  /**
   * The ReplicaSet of the current template (upstream's getNewReplicaSet): an existing one gets
   * the next revision if it lags (a rollback brought it back) and the Deployment's annotations and
   * minReadySeconds; otherwise, when asked to, it is created. The Deployment's revision follows.
   */
  private async newReplicaSet(rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSet | undefined> {
    const { client, log } = this.deps;
    const d = this.d;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        if (minReady) copy.spec!.minReadySeconds = minReady;
        else delete copy.spec!.minReadySeconds;
        return client.update<ReplicaSet>(replicaSets, this.ns, copy.metadata!.name!, copy);
      }
      let changed = setDeploymentRevision(d, copy.metadata?.annotations?.[REVISION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        d.status = { ...(d.status ?? {}) };
        setCondition(d.status, newCondition(PROGRESSING, 'True', Reason.FoundNewReplicaSet, Message.found(copy.metadata!.name!), this.deps.now()));
        changed = true;
      }
      if (changed) await this.writeStatus();
      return copy;
    }
    if (!createIfMissing) return undefined;

    const rs = newReplicaSetFor(d, oldRSs, newRevision);
    const rsName = rs.metadata!.name!;
    let created: ReplicaSet;
    let existed = false;
    try {
      created = await client.create<ReplicaSet>(replicaSets, this.ns, rs);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const msg = Message.createFailed(rsName, (err as Error).message);
        if (hasProgressDeadline(d)) {
          d.status = { ...(d.status ?? {}) };
          setCondition(d.status, newCondition(PROGRESSING, 'False', Reason.ReplicaSetCreateError, msg, this.deps.now()));
          await this.writeStatus().catch(() => undefined);
        }
        this.event('Warning', Reason.ReplicaSetCreateError, msg);
        throw err;
      }
      const found = await client.get<ReplicaSet>(replicaSets, this.ns, rsName);
      if (controllerRefOf(found)?.uid !== d.metadata?.uid || !equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        // A different template hashed to the same name: count the collision, which changes the hash.
        const collisionCount = (d.status?.collisionCount ?? 0) + 1;
        d.status = { ...(d.status ?? {}), collisionCount };
        await this.writeStatus();
        log.info({ deployment: `${this.ns}/${this.name}`, collisionCount }, 'hash collision; collisionCount raised');
        throw err;
      }
      created = found;
      existed = true;
    }
    const replicas = specReplicas(rs);
    if (!existed && replicas > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} from 0 to ${replicas}`);
    let changed = setDeploymentRevision(d, String(newRevision));
    if (!existed && hasProgressDeadline(d)) {
      d.status = { ...(d.status ?? {}) };
      setCondition(d.status, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetCreated, Message.created(rsName), this.deps.now()));
      changed = true;
    }
    if (changed) await this.writeStatus();
    return created;
  }

  // ---- the paths of a sync ----

  private async checkPausedConditions(): Promise<void> {
    const status = pausedStatus(this.d, this.deps.now());
    if (!status) return;
    this.d.status = status;
    await this.writeStatus();
  }

  private async scalingEvent(rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSetsOf(rsList, false);
    return isScalingEvent(this.d, newRS, oldRSs);
  }

  /** Writes the plain status (counts and Available) if it changed. */
  private async syncStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<undefined> {
    const next = calculateStatus(allRSs, newRS, this.d, this.deps.now());
    if (sameStatus(this.d.status, next)) return undefined;
    this.d.status = next;
    await this.writeStatus();
    return undefined;
  }

  /** Writes the status with the Progressing condition; when nothing changed, says when to check the deadline. */
  private async syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<number | undefined> {
    const now = this.deps.now();
    const next = rolloutStatus(this.d, allRSs, newRS, now);
    if (sameStatus(this.d.status, next)) return stuckRequeueAfterMs(this.d, next, now);
    this.d.status = next;
    await this.writeStatus();
    return undefined;
  }

  private async syncStatusOnly(rsList: ReplicaSet[]): Promise<undefined> {
    const { newRS, oldRSs } = await this.replicaSetsOf(rsList, false);
    return this.syncStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS);
  }

  /** Scaling events and paused Deployments: proportional scaling, no rollout (upstream's sync). */
  private async syncScaling(rsList: ReplicaSet[]): Promise<undefined> {
    const { newRS, oldRSs } = await this.replicaSetsOf(rsList, false);
    await this.apply(proportionalScale(this.d, newRS, oldRSs));
    if (this.d.spec?.paused) await this.cleanup(oldRSs);
    return this.syncStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS);
  }

  private async rolloutRolling(rsList: ReplicaSet[]): Promise<number | undefined> {
    const { newRS, oldRSs } = await this.replicaSetsOf(rsList, true);
    const allRSs = [...oldRSs, newRS!];
    const actions = rollingUpdateStep(this.d, newRS!, oldRSs);
    if (actions.length) {
      await this.apply(actions);
      return this.syncRolloutStatus(allRSs, newRS);
    }
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs);
    return this.syncRolloutStatus(allRSs, newRS);
  }

  private async rolloutRecreate(rsList: ReplicaSet[], podsByRs: Map<string, Pod[]>): Promise<number | undefined> {
    let { newRS, oldRSs } = await this.replicaSetsOf(rsList, false);
    const step = recreateStep(newRS, oldRSs, podsByRs);
    if (step.kind === 'scale-down-old') await this.apply(step.actions);
    if (step.kind !== 'roll-out') return this.syncRolloutStatus(newRS ? [...oldRSs, newRS] : oldRSs, newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.replicaSetsOf(rsList, true));
    const desired = desiredReplicas(this.d);
    if (specReplicas(newRS!) !== desired) await this.scaleReplicaSet(newRS!, desired);
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs);
    return this.syncRolloutStatus([...oldRSs, newRS!], newRS);
  }
}
