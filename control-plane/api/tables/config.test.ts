import { describe, expect, it } from 'vitest';
import { configMapTable, resourceQuotaTable, secretTable, serviceAccountTable } from './config.js';

const now = new Date('2024-05-01T12:00:00Z');
const metadata = { name: 'x', creationTimestamp: '2024-05-01T11:59:30Z' };

describe('config printers', () => {
  it('counts configmap data and binary data', () => {
    expect(configMapTable.columns.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(configMapTable.row({ metadata, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now)).toEqual(['x', 3, '30s']);
    expect(configMapTable.row({ metadata }, now)).toEqual(['x', 0, '30s']);
  });

  it('prints secret type and key count', () => {
    expect(secretTable.columns.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(secretTable.row({ metadata, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, now)).toEqual(['x', 'kubernetes.io/tls', 2, '30s']);
  });

  it('counts service account secrets', () => {
    expect(serviceAccountTable.columns.map((c) => c.name)).toEqual(['Name', 'Secrets', 'Age']);
    expect(serviceAccountTable.row({ metadata }, now)).toEqual(['x', 0, '30s']);
    expect(serviceAccountTable.row({ metadata, secrets: [{ name: 's' }] }, now)).toEqual(['x', 1, '30s']);
  });

  it('splits quota usage into requests and limits, sorted, canonical', () => {
    expect(resourceQuotaTable.columns.map((c) => c.name)).toEqual(['Name', 'Request', 'Limit', 'Age']);
    const quota = {
      metadata,
      status: {
        hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2048Mi', 'limits.cpu': '4', 'requests.memory': '1Gi' },
        used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' },
      },
    };
    expect(resourceQuotaTable.row(quota, now)).toEqual(['x', 'pods: 3/10, requests.cpu: 500m/2, requests.memory: 0/1Gi', 'limits.cpu: 1/4, limits.memory: 0/2Gi', '30s']);
    expect(resourceQuotaTable.row({ metadata }, now)).toEqual(['x', '', '', '30s']);
  });
});
