/**
 * One probe (liveness, readiness or startup) of one container, probing its current instance every
 * periodSeconds as upstream's probe worker:
 * - a new instance resets the result to the initial one (readiness: failure, liveness: success,
 *   startup: none) and resumes probing;
 * - nothing runs before initialDelaySeconds after the instance started; liveness and readiness
 *   wait until the startup probe (if any) succeeded, and the startup probe stops once it did;
 * - a result is settled (written to the cache) after successThreshold / failureThreshold equal
 *   results in a row; a settled liveness or startup failure puts the worker on hold until the next
 *   instance (the pod worker kills this one);
 * - every failed run records a Warning Unhealthy event ("Liveness probe failed: …").
 * Timers only; never throws.
 */
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { runExec, runHttpGet, runTcpSocket, type Outcome } from './handlers.js';
import type { ProbeResults, ProbeType } from './results.js';

/** The container instance a worker probes. */
export interface ProbeTarget {
  containerId: string;
  running: boolean;
  startedAt?: Date;
  podIP: string;
}

export interface ProbeWorkerDeps {
  runtime: ContainerRuntime;
  results: ProbeResults;
  /** A settled result changed. */
  onChange(): void;
  /** Records a Warning Unhealthy event for the container. */
  warn(message: string): void;
  logger: Logger;
}

const TITLE: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };
const INITIAL: Record<ProbeType, boolean | undefined> = { liveness: true, readiness: false, startup: undefined };

export class ProbeWorker {
  private target?: ProbeTarget;
  private containerId?: string;
  private onHold = false;
  private lastResult?: boolean;
  private run = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private again = false;
  private stopped = false;

  constructor(
    readonly type: ProbeType,
    private readonly container: Container,
    private readonly probe: Probe,
    private readonly deps: ProbeWorkerDeps,
  ) {}

  /** The container's current instance; probes at once when it is a new one (or started/stopped). */
  update(target: ProbeTarget | undefined): void {
    const fresh = target?.containerId !== this.target?.containerId || target?.running !== this.target?.running;
    this.target = target;
    if (fresh) this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Probes now (or right after the running probe). */
  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.busy = true;
    void this.tick()
      .catch((err) => this.deps.logger.warn({ err: (err as Error).message, probe: this.type, container: this.container.name }, 'probe worker failed'))
      .then((delayMs) => {
        this.busy = false;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), delayMs ?? this.periodMs());
        }
      });
  }

  private periodMs(): number {
    return (this.probe.periodSeconds || 10) * 1000;
  }

  private set(success: boolean): void {
    if (this.containerId && this.deps.results.set(this.containerId, this.type, success)) this.deps.onChange();
  }

  /** One step; resolves with the delay before the next, or undefined for a period. */
  private async tick(): Promise<number | undefined> {
    const target = this.target;
    if (!target) return undefined;
    const { results } = this.deps;
    if (target.containerId !== this.containerId) {
      if (this.containerId) results.remove(this.containerId);
      this.containerId = target.containerId;
      const initial = INITIAL[this.type];
      if (initial !== undefined) results.set(this.containerId, this.type, initial);
      this.onHold = false;
      this.lastResult = undefined;
      this.run = 0;
    }
    if (this.onHold) return undefined;
    if (!target.running) {
      this.set(false);
      return undefined;
    }
    const delayUntil = (target.startedAt?.getTime() ?? 0) + (this.probe.initialDelaySeconds ?? 0) * 1000;
    if (Date.now() < delayUntil) return delayUntil - Date.now();
    const started = this.type === 'startup' || this.container.startupProbe ? results.get(target.containerId, 'startup') === true : true;
    if (this.type === 'startup' ? started : !started) return undefined;

    const outcome = await this.execute(target);
    if (this.stopped || this.target?.containerId !== target.containerId) return 0;
    if (outcome.result === 'error') {
      this.deps.warn(`${TITLE[this.type]} probe errored: ${outcome.output}`);
      if (this.probe.grpc) this.onHold = true;
      return undefined;
    }
    const success = outcome.result === 'success';
    if (!success) this.deps.warn(`${TITLE[this.type]} probe failed: ${outcome.output}`);
    this.run = this.lastResult === success ? this.run + 1 : 1;
    this.lastResult = success;
    const threshold = success ? this.probe.successThreshold || 1 : this.probe.failureThreshold || 3;
    if (this.run < threshold) return undefined;
    this.set(success);
    if (!success && this.type !== 'readiness') {
      this.onHold = true;
      this.run = 0;
    }
    return undefined;
  }

  private execute(target: ProbeTarget): Promise<Outcome> {
    const timeoutSeconds = this.probe.timeoutSeconds || 1;
    const ports = this.container.ports;
    if (this.probe.exec) return runExec(this.deps.runtime, target.containerId, this.probe.exec, timeoutSeconds);
    if (this.probe.httpGet) return runHttpGet(this.probe.httpGet, { podIP: target.podIP, ports }, timeoutSeconds * 1000);
    if (this.probe.tcpSocket) return runTcpSocket(this.probe.tcpSocket, { podIP: target.podIP, ports }, timeoutSeconds * 1000);
    if (this.probe.grpc) return Promise.resolve({ result: 'error', output: 'grpc probes are not supported by this node' });
    return Promise.resolve({ result: 'error', output: 'the probe names no action' });
  }
}
