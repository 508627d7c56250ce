import { describe, expect, it } from 'vitest';
import { parseRecordRequest } from './query-name.js';

describe('parseRecordRequest', () => {
  it.each([
    ['', {}],
    ['svc', { kind: 'svc' }],
    ['default.svc', { kind: 'svc', namespace: 'default' }],
    ['web.default.svc', { kind: 'svc', namespace: 'default', service: 'web' }],
    ['web-0.db.default.svc', { kind: 'svc', namespace: 'default', service: 'db', endpoint: 'web-0' }],
    ['_http._tcp.web.default.svc', { kind: 'svc', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' }],
    ['http.tcp.web.default.svc', { kind: 'svc', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' }],
    ['10-244-1-5.default.pod', { kind: 'pod', namespace: 'default', service: '10-244-1-5' }],
    ['web.default', undefined],
    ['a.b.c.d.e.svc', undefined],
  ])('%s', (rel, want) => {
    expect(parseRecordRequest(rel ? rel.split('.') : [])).toEqual(want);
  });
});
