/**
 * Conversions between served versions and their storage version, as upstream converts them through
 * its internal types:
 *
 * - autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (stored). v1 has only a CPU
 *   utilization target; everything else v2 can say travels in upstream's annotations
 *   (`autoscaling.alpha.kubernetes.io/metrics`, `/current-metrics`, `/conditions`, `/behavior`)
 *   so a v1 round trip loses nothing. The metric annotations hold upstream's v1 MetricSpec /
 *   MetricStatus JSON; the behavior annotation holds the v2 behavior JSON (upstream marshals its
 *   internal Go type there, whose field names Go also reads back case-insensitively).
 * - events.k8s.io/v1 Event ⇄ core/v1 Event (stored): regarding ⇄ involvedObject, note ⇄ message,
 *   reportingController ⇄ reportingComponent, deprecated* ⇄ source / firstTimestamp /
 *   lastTimestamp / count; the other fields share names.
 *
 * Both directions return new objects with apiVersion and kind set; inputs are not modified.
 */
import type { Conversion } from './registry.js';
import { badRequest } from './status.js';

const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
/** The CPU target autoscaling/v1 implies when none is given. */
const DEFAULT_CPU_UTILIZATION = 80;

/** A copy of `obj` without its undefined and null members. */
function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

// ---- autoscaling/v2 metric shapes → autoscaling/v1 annotation shapes ----

const objectRef = (ref: any) => compact({ kind: ref?.kind, name: ref?.name, apiVersion: ref?.apiVersion });

function metricSpecToV1(m: any): any {
  const out: any = { type: m.type };
  const t = (source: any) => source?.target ?? {};
  if (m.object) {
    out.object = compact({
      target: objectRef(m.object.describedObject),
      metricName: m.object.metric?.name,
      targetValue: t(m.object).value ?? '0',
      selector: m.object.metric?.selector,
      averageValue: t(m.object).averageValue,
    });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name, targetAverageValue: t(m.pods).averageValue ?? '0', selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, targetAverageUtilization: t(m.resource).averageUtilization, targetAverageValue: t(m.resource).averageValue });
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = compact({ name: c.name, targetAverageUtilization: t(c).averageUtilization, targetAverageValue: t(c).averageValue, container: c.container });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric?.name,
      metricSelector: m.external.metric?.selector,
      targetValue: t(m.external).value,
      targetAverageValue: t(m.external).averageValue,
    });
  }
  return out;
}

function metricStatusToV1(m: any): any {
  const out: any = { type: m.type };
  const c = (source: any) => source?.current ?? {};
  if (m.object) {
    out.object = compact({
      target: objectRef(m.object.describedObject),
      metricName: m.object.metric?.name,
      currentValue: c(m.object).value ?? '0',
      selector: m.object.metric?.selector,
      averageValue: c(m.object).averageValue,
    });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name, currentAverageValue: c(m.pods).averageValue ?? '0', selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, currentAverageUtilization: c(m.resource).averageUtilization, currentAverageValue: c(m.resource).averageValue ?? '0' });
  if (m.containerResource) {
    const r = m.containerResource;
    out.containerResource = compact({ name: r.name, currentAverageUtilization: c(r).averageUtilization, currentAverageValue: c(r).averageValue ?? '0', container: r.container });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric?.name,
      metricSelector: m.external.metric?.selector,
      currentValue: c(m.external).value ?? '0',
      currentAverageValue: c(m.external).averageValue,
    });
  }
  return out;
}

// ---- autoscaling/v1 annotation shapes → autoscaling/v2 ----

const identifier = (name: unknown, selector: unknown) => compact({ name, selector });

function resourceTargetToV2(utilization: unknown, averageValue: unknown) {
  return compact({ type: utilization == null ? 'AverageValue' : 'Utilization', averageUtilization: utilization, averageValue });
}

function metricSpecToV2(m: any): any {
  const out: any = { type: m.type };
  if (m.object) {
    out.object = {
      describedObject: objectRef(m.object.target),
      metric: identifier(m.object.metricName, m.object.selector),
      target: compact({ type: m.object.averageValue == null ? 'Value' : 'AverageValue', value: m.object.targetValue ?? '0', averageValue: m.object.averageValue }),
    };
  }
  if (m.pods) out.pods = { metric: identifier(m.pods.metricName, m.pods.selector), target: { type: 'AverageValue', averageValue: m.pods.targetAverageValue ?? '0' } };
  if (m.resource) out.resource = { name: m.resource.name, target: resourceTargetToV2(m.resource.targetAverageUtilization, m.resource.targetAverageValue) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, container: c.container, target: resourceTargetToV2(c.targetAverageUtilization, c.targetAverageValue) };
  }
  if (m.external) {
    const e = m.external;
    out.external = {
      metric: identifier(e.metricName, e.metricSelector),
      target: compact({ type: e.targetValue == null ? 'AverageValue' : 'Value', value: e.targetValue, averageValue: e.targetAverageValue }),
    };
  }
  return out;
}

function metricStatusToV2(m: any): any {
  const out: any = { type: m.type };
  if (m.object) {
    out.object = {
      describedObject: objectRef(m.object.target),
      metric: identifier(m.object.metricName, m.object.selector),
      current: compact({ value: m.object.currentValue ?? '0', averageValue: m.object.averageValue }),
    };
  }
  if (m.pods) out.pods = { metric: identifier(m.pods.metricName, m.pods.selector), current: { averageValue: m.pods.currentAverageValue ?? '0' } };
  if (m.resource) out.resource = { name: m.resource.name, current: compact({ averageValue: m.resource.currentAverageValue ?? '0', averageUtilization: m.resource.currentAverageUtilization }) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, container: c.container, current: compact({ averageValue: c.currentAverageValue ?? '0', averageUtilization: c.currentAverageUtilization }) };
  }
  if (m.external) {
    const e = m.external;
    out.external = { metric: identifier(e.metricName, e.metricSelector), current: compact({ value: e.currentValue ?? '0', averageValue: e.currentAverageValue }) };
  }
  return out;
}

const isCpuResource = (m: any): boolean => m?.type === 'Resource' && m.resource?.name === 'cpu';

function cpuMetric(utilization: number): any {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } };
}

/** Reads and removes a JSON annotation; a malformed one is a 400 as upstream's conversion error. */
function takeJsonAnnotation(annotations: Record<string, string>, key: string): any {
  if (!Object.hasOwn(annotations, key)) return undefined;
  const text = annotations[key]!;
  delete annotations[key];
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`unable to decode annotation ${key}: ${(e as Error).message}`);
  }
}

/** A list annotation's items: objects, null read as an empty one (Go's zero value). */
function listOf(value: unknown, key: string): any[] {
  if (!Array.isArray(value)) throw badRequest(`unable to decode annotation ${key}: not a list`);
  const items = value.map((item) => (item === null ? {} : item));
  if (items.some((item) => typeof item !== 'object' || Array.isArray(item))) throw badRequest(`unable to decode annotation ${key}: not a list of objects`);
  return items;
}

/** The annotations a v1 round trip uses, dropped from what v2 holds so they never shadow its fields. */
const ROUND_TRIP_ANNOTATIONS = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

function withoutRoundTripAnnotations(metadata: any): any {
  if (!metadata?.annotations) return metadata;
  const annotations = { ...metadata.annotations };
  for (const key of ROUND_TRIP_ANNOTATIONS) delete annotations[key];
  const out = { ...metadata, annotations };
  if (Object.keys(annotations).length === 0) delete out.annotations;
  return out;
}

function hpaToV2(v1: any): any {
  const metadata = clone(v1.metadata) ?? {};
  const annotations: Record<string, string> = metadata.annotations ?? {};
  const spec = v1.spec ?? {};
  const status = v1.status ?? {};

  const otherMetrics = takeJsonAnnotation(annotations, METRICS_ANNOTATION);
  const currentMetrics = takeJsonAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = takeJsonAnnotation(annotations, CONDITIONS_ANNOTATION);
  const behavior = takeJsonAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (metadata.annotations && Object.keys(annotations).length === 0) delete metadata.annotations;

  const metrics: any[] = otherMetrics === undefined ? [] : listOf(otherMetrics, METRICS_ANNOTATION).map(metricSpecToV2);
  if (spec.targetCPUUtilizationPercentage != null) metrics.push(cpuMetric(spec.targetCPUUtilizationPercentage));
  if (metrics.length === 0) metrics.push(cpuMetric(DEFAULT_CPU_UTILIZATION));

  let current: any[] | undefined;
  if (currentMetrics !== undefined) current = listOf(currentMetrics, CURRENT_METRICS_ANNOTATION).map(metricStatusToV2);
  else if (status.currentCPUUtilizationPercentage != null) current = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];

  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: compact({
      scaleTargetRef: clone(spec.scaleTargetRef),
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics,
      behavior,
    }),
    status: compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics: current,
      conditions: conditions === undefined ? undefined : listOf(conditions, CONDITIONS_ANNOTATION),
    }),
  };
}

function hpaToV1(v2: any): any {
  const metadata = withoutRoundTripAnnotations(clone(v2.metadata)) ?? {};
  const spec = v2.spec ?? {};
  const status = v2.status ?? {};
  const metrics: any[] = spec.metrics ?? [];
  const currentMetrics: any[] = status.currentMetrics ?? [];
  const conditions: any[] = status.conditions ?? [];

  // the first CPU resource metric decides the v1 target, if it is a utilization
  const cpu = metrics.find(isCpuResource);
  const targetCPU = cpu?.resource?.target?.averageUtilization;
  const otherMetrics = metrics.filter((m) => !(isCpuResource(m) && m.resource.target?.averageUtilization != null)).map(metricSpecToV1);
  const currentCPU = currentMetrics.filter(isCpuResource).reduce<number | undefined>((v, m) => m.resource.current?.averageUtilization ?? v, undefined);

  const extra: Record<string, string> = {};
  if (otherMetrics.length) extra[METRICS_ANNOTATION] = JSON.stringify(otherMetrics);
  // all current metrics, CPU included, so that the raw values survive too
  if (currentMetrics.length) extra[CURRENT_METRICS_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (conditions.length) extra[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (spec.behavior) extra[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  if (Object.keys(extra).length) metadata.annotations = { ...metadata.annotations, ...extra };

  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: compact({
      scaleTargetRef: clone(spec.scaleTargetRef),
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: targetCPU,
    }),
    status: compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentCPUUtilizationPercentage: currentCPU,
    }),
  };
}

function eventToCore(ev: any): any {
  const e = clone(ev);
  return compact({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    type: e.type,
    eventTime: e.eventTime,
    series: e.series,
    action: e.action,
    related: e.related,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  });
}

function eventToEventsV1(ev: any): any {
  const e = clone(ev);
  return {
    ...compact({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: e.metadata ?? {},
      series: e.series,
      reportingController: e.reportingComponent,
      reportingInstance: e.reportingInstance,
      action: e.action,
      reason: e.reason,
      regarding: e.involvedObject ?? {},
      related: e.related,
      note: e.message,
      type: e.type,
      deprecatedSource: e.source,
      deprecatedFirstTimestamp: e.firstTimestamp,
      deprecatedLastTimestamp: e.lastTimestamp,
      deprecatedCount: e.count,
    }),
    // required in events.k8s.io/v1; upstream writes null for events that never had one
    eventTime: e.eventTime ?? null,
  };
}

/** Conversions of the non-storage served versions, keyed `<group>/<version>/<plural>`. */
export const conversions: Record<string, Conversion> = {
  'autoscaling/v1/horizontalpodautoscalers': { toStorage: hpaToV2, fromStorage: hpaToV1 },
  'events.k8s.io/v1/events': { toStorage: eventToCore, fromStorage: eventToEventsV1 },
};
