/** The core/v1 Event printer (also used for events.k8s.io, which is stored as core Events). */
import type { TableDef } from '../registry.js';
import { NAME_COLUMN, column, nameOf } from './columns.js';
import { DOC } from './docs.js';
import { parseTime, translateTimestampSince } from './duration.js';

/** `component, host`, falling back to reportingComponent / reportingInstance when the source is empty. */
function eventSource(ev: any): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventTable: TableDef = {
  columns: [
    column('Last Seen', 'string', DOC['Event.lastTimestamp']),
    column('Type', 'string', DOC['Event.type']),
    column('Reason', 'string', DOC['Event.reason']),
    column('Object', 'string', DOC['Event.involvedObject']),
    column('Subobject', 'string', DOC['ObjectReference.fieldPath'], 1),
    column('Source', 'string', DOC['Event.source'], 1),
    column('Message', 'string', DOC['Event.message']),
    column('First Seen', 'string', DOC['Event.firstTimestamp'], 1),
    column('Count', 'string', DOC['Event.count'], 1),
    { ...NAME_COLUMN, priority: 1 },
  ],
  row(ev, now) {
    const first = parseTime(ev.firstTimestamp) !== undefined ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now);
    let last = parseTime(ev.lastTimestamp) !== undefined ? translateTimestampSince(ev.lastTimestamp, now) : first;
    let count: number = ev.count ?? 0;
    if (ev.series) {
      last = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // singleton events of the events.k8s.io API carry no count
      count = 1;
    }
    const involved = ev.involvedObject ?? {};
    const kind = String(involved.kind ?? '').toLowerCase();
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      involved.name ? `${kind}/${involved.name}` : kind,
      involved.fieldPath ?? '',
      eventSource(ev),
      String(ev.message ?? '').trim(),
      first,
      count,
      nameOf(ev),
    ];
  },
};
