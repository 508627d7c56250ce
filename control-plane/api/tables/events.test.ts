import { describe, expect, it } from 'vitest';
import { eventTable } from './events.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (s: number): string => new Date(now.getTime() - s * 1000).toISOString();

describe('eventTable', () => {
  it('has the 1.20+ columns', () => {
    expect(eventTable.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject*',
      'Source*',
      'Message',
      'First Seen*',
      'Count*',
      'Name*',
    ]);
    expect(eventTable.columns.find((c) => c.name === 'Name')?.format).toBe('name');
  });

  it('prints a core event', () => {
    const ev = {
      metadata: { name: 'web-1.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: '  Successfully pulled image "nginx"\n',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 4,
      type: 'Normal',
    };
    expect(eventTable.row(ev, now)).toEqual(['30s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{app}', 'kubelet, n1', 'Successfully pulled image "nginx"', '10m', 4, 'web-1.17a']);
  });

  it('prints an events.k8s.io singleton event from its event time', () => {
    const ev = {
      metadata: { name: 'e' },
      eventTime: ago(5).replace('Z', '000Z'),
      involvedObject: { kind: 'Node' },
      reportingComponent: 'tugboat-scheduler',
      reportingInstance: 'tug-1',
      reason: 'Scheduled',
      type: 'Normal',
      message: 'ok',
    };
    expect(eventTable.row(ev, now)).toEqual(['5s', 'Normal', 'Scheduled', 'node', '', 'tugboat-scheduler, tug-1', 'ok', '5s', 1, 'e']);
  });

  it('takes the last time and count of a series', () => {
    const ev = {
      metadata: { name: 'e' },
      eventTime: ago(3600),
      series: { count: 12, lastObservedTime: ago(60) },
      involvedObject: { kind: 'Pod', name: 'p' },
      reportingComponent: 'kubelet',
      reason: 'BackOff',
      type: 'Warning',
    };
    expect(eventTable.row(ev, now)).toEqual(['60s', 'Warning', 'BackOff', 'pod/p', '', 'kubelet', '', '60m', 12, 'e']);
  });

  it('prints <unknown> without any time', () => {
    expect(eventTable.row({ metadata: { name: 'e' } }, now)).toEqual(['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'e']);
  });
});
