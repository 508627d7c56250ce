/** The HorizontalPodAutoscaler printer (autoscaling/v2 storage objects), with upstream's TARGETS cell. */
import type { TableDef } from '../registry.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { quantityString } from './format.js';

const UNKNOWN = '<unknown>';

/** `current/target` of one metric; `current` is `<unknown>` until the status reports it. */
function metricText(spec: any, status: any): string {
  const source = spec[typeKey(spec.type)] ?? {};
  const current = status?.[typeKey(spec.type)]?.current;
  const target = source.target ?? {};
  switch (spec.type) {
    case 'External':
    case 'Object':
      if (target.averageValue != null) {
        const have = current?.averageValue != null ? quantityString(current.averageValue) : UNKNOWN;
        return `${have}/${quantityString(target.averageValue)} (avg)`;
      }
      return `${status?.[typeKey(spec.type)] ? quantityString(current?.value) : UNKNOWN}/${quantityString(target.value)}`;
    case 'Pods':
      return `${status?.pods ? quantityString(current?.averageValue) : UNKNOWN}/${quantityString(target.averageValue)}`;
    case 'Resource':
    case 'ContainerResource': {
      if (target.averageValue != null) {
        const have = status?.[typeKey(spec.type)] ? quantityString(current?.averageValue) : UNKNOWN;
        return `${source.name ?? ''}: ${have}/${quantityString(target.averageValue)}`;
      }
      const have = current?.averageUtilization != null ? `${current.averageUtilization}%` : UNKNOWN;
      const want = target.averageUtilization != null ? `${target.averageUtilization}%` : '<auto>';
      return `${source.name ?? ''}: ${have}/${want}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The member holding a metric of this type: `Resource` → `resource`, `ContainerResource` → `containerResource`. */
function typeKey(type: unknown): string {
  return typeof type === 'string' && type ? type[0]!.toLowerCase() + type.slice(1) : '';
}

/** TARGETS: the first two metrics, then ` + N more...`; `<none>` without metrics. Statuses pair with specs by index. */
function formatMetrics(specs: any[] | undefined, statuses: any[] | undefined): string {
  if (!specs?.length) return '<none>';
  const list = specs.map((spec, i) => metricText(spec, statuses?.[i]));
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

export const horizontalPodAutoscalerTable: TableDef = {
  columns: [
    NAME_COLUMN,
    column('Reference', 'string', DOC['HorizontalPodAutoscalerSpec.scaleTargetRef']),
    column('Targets', 'string', DOC['HorizontalPodAutoscalerSpec.metrics']),
    column('MinPods', 'string', DOC['HorizontalPodAutoscalerSpec.minReplicas']),
    column('MaxPods', 'string', DOC['HorizontalPodAutoscalerSpec.maxReplicas']),
    column('Replicas', 'string', DOC['HorizontalPodAutoscalerStatus.currentReplicas']),
    AGE_COLUMN,
  ],
  row(hpa, now) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    return [
      nameOf(hpa),
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      formatMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
      hpa.spec?.minReplicas != null ? String(hpa.spec.minReplicas) : '<unset>',
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      ageOf(hpa, now),
    ];
  },
};
