/**
 * Leader election through a coordination.k8s.io Lease, as client-go's: when several `tug server`s
 * run, one holds the lease and runs the controllers and the scheduler; the others wait and take
 * over when it stops renewing. Writes carry the lease's resourceVersion, so two candidates can
 * never both win.
 */
import type { Logger } from 'pino';
import { RESOURCES } from '../api/registry.js';
import { isConflict, isNotFound, type ApiClient } from './api-client.js';

const leases = RESOURCES.find((r) => r.plural === 'leases')!;

export interface LeaderElectionOptions {
  client: ApiClient;
  namespace: string;
  name: string;
  /** This candidate's name (e.g. host name and pid). */
  identity: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  /** Called when this candidate becomes leader; returns the function that stops what it started. */
  onStartedLeading(): Promise<() => Promise<void>>;
  logger: Logger;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** Stops leading (if leading) and releases the lease so another candidate takes over at once. */
  stop(): Promise<void>;
}

const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export function runLeaderElection(opts: LeaderElectionOptions): LeaderElection {
  const duration = opts.leaseDurationSeconds ?? 15;
  const retry = opts.retryPeriodMs ?? 2000;
  const log = opts.logger.child({ component: 'leader-election', lease: `${opts.namespace}/${opts.name}` });
  let leading = false;
  let stopLeading: (() => Promise<void>) | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastRenew = 0;

  /** One attempt to acquire or renew; true when this candidate holds the lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = new Date();
    const spec = { holderIdentity: opts.identity, leaseDurationSeconds: duration, renewTime: microTime(now) };
    let lease: any;
    try {
      lease = await opts.client.get(leases, opts.namespace, opts.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await opts.client.create(leases, opts.namespace, { metadata: { name: opts.name, namespace: opts.namespace }, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } });
        return true;
      } catch (e) {
        if (isConflict(e)) return false;
        throw e;
      }
    }
    const holder = lease.spec?.holderIdentity;
    const renewed = Date.parse(lease.spec?.renewTime ?? '') || 0;
    const expired = renewed + (lease.spec?.leaseDurationSeconds ?? duration) * 1000 < now.getTime();
    if (holder && holder !== opts.identity && !expired) return false;
    const transition = holder !== opts.identity;
    const next = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        acquireTime: transition ? microTime(now) : lease.spec.acquireTime,
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (transition && holder ? 1 : 0),
      },
    };
    try {
      await opts.client.update(leases, opts.namespace, opts.name, next);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  };

  const loop = async () => {
    if (stopped) return;
    let holds = false;
    try {
      holds = await tryAcquireOrRenew();
      if (holds) lastRenew = Date.now();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'lease update failed');
    }
    const lost = leading && !holds && Date.now() - lastRenew > duration * 1000;
    if (holds && !leading && !stopped) {
      leading = true;
      log.info({ identity: opts.identity }, 'became leader');
      stopLeading = await opts.onStartedLeading();
    } else if (lost) {
      leading = false;
      log.warn({ identity: opts.identity }, 'lost the lease; stopping controllers');
      await stopLeading?.();
      stopLeading = undefined;
    }
    if (!stopped) timer = setTimeout(() => void loop(), retry);
  };
  void loop();

  return {
    isLeader: () => leading,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      if (!leading) return;
      leading = false;
      await stopLeading?.();
      try {
        // Release: an expired renewTime lets the next candidate take over without waiting.
        const lease = await opts.client.get(leases, opts.namespace, opts.name);
        if (lease.spec?.holderIdentity === opts.identity) {
          await opts.client.update(leases, opts.namespace, opts.name, { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: microTime(new Date(0)) } });
        }
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not release the lease');
      }
    },
  };
}
