import { describe, expect, it } from 'vitest';
import { parseEvent } from './events.js';

describe('parseEvent', () => {
  it.each([
    ['start', { Type: 'container', Action: 'start', Actor: { ID: 'c1' }, time: 10 }, { containerId: 'c1', type: 'start' }],
    ['die', { Type: 'container', Action: 'die', id: 'c2', time: 11 }, { containerId: 'c2', type: 'die' }],
    ['oom', { Type: 'container', Action: 'oom', Actor: { ID: 'c3' }, time: 12 }, { containerId: 'c3', type: 'oom' }],
    ['destroy', { Type: 'container', Action: 'destroy', Actor: { ID: 'c4' }, time: 13 }, { containerId: 'c4', type: 'destroy' }],
    ['an exec', { Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'c5' }, time: 14 }, undefined],
    ['an image event', { Type: 'image', Action: 'pull', Actor: { ID: 'busybox' }, time: 15 }, undefined],
  ])('maps %s', (_case, raw, event) => {
    expect(parseEvent(JSON.stringify(raw))).toEqual({ event, time: raw.time });
  });

  it('ignores lines that are not JSON', () => {
    expect(parseEvent('{oops')).toEqual({});
  });
});
