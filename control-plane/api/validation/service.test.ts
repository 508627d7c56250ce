import { describe, expect, it } from 'vitest';
import { defaultService } from '../defaults/service.js';
import { validateService } from './service.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

function service(before?: (s: any) => void, after?: (s: any) => void): any {
  const s: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
  before?.(s);
  defaultService(s);
  after?.(s);
  return s;
}

describe('Service on create', () => {
  it.each<[string, (s: any) => void]>([
    ['ClusterIP', () => {}],
    ['NodePort with a port in range', (s) => Object.assign(s.spec, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })],
    ['LoadBalancer', (s) => (s.spec.type = 'LoadBalancer')],
    ['headless without ports', (s) => Object.assign(s.spec, { clusterIP: 'None', ports: [] })],
    ['ExternalName', (s) => (s.spec = { type: 'ExternalName', externalName: 'db.example.com' })],
    ['with an allocated cluster IP', (s) => (s.spec.clusterIP = '10.96.0.10')],
    ['ClientIP affinity', (s) => (s.spec.sessionAffinity = 'ClientIP')],
    ['two named ports', (s) => (s.spec.ports = [{ name: 'http', port: 80 }, { name: 'https', port: 443, targetPort: 'https' }])],
  ])('accepts %s', (_, before) => {
    expect(validateService(service(before))).toEqual([]);
  });

  it.each<[string, (s: any) => void, ((s: any) => void) | undefined, [string, string][]]>([
    ['upper-case name', (s) => (s.metadata.name = 'Web'), undefined, [['FieldValueInvalid', 'metadata.name']]],
    ['name starting with a digit', (s) => (s.metadata.name = '1web'), undefined, [['FieldValueInvalid', 'metadata.name']]],
    ['no ports', (s) => (s.spec.ports = []), undefined, [['FieldValueRequired', 'spec.ports']]],
    ['port 0', (s) => (s.spec.ports = [{ port: 0, targetPort: 80 }]), undefined, [['FieldValueInvalid', 'spec.ports[0].port']]],
    ['port 70000', (s) => (s.spec.ports = [{ port: 70000 }]), undefined, [['FieldValueInvalid', 'spec.ports[0].port'], ['FieldValueInvalid', 'spec.ports[0].targetPort']]],
    ['unnamed ports', (s) => (s.spec.ports = [{ port: 80 }, { port: 443 }]), undefined, [['FieldValueRequired', 'spec.ports[0].name'], ['FieldValueRequired', 'spec.ports[1].name']]],
    ['duplicate port names', (s) => (s.spec.ports = [{ name: 'web', port: 80 }, { name: 'web', port: 81 }]), undefined, [['FieldValueDuplicate', 'spec.ports[1].name']]],
    ['duplicate ports', (s) => (s.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]), undefined, [['FieldValueDuplicate', 'spec.ports[1]']]],
    ['bad protocol', (s) => (s.spec.ports[0].protocol = 'HTTP'), undefined, [['FieldValueNotSupported', 'spec.ports[0].protocol']]],
    ['bad type', (s) => (s.spec.type = 'Internal'), undefined, [['FieldValueNotSupported', 'spec.type']]],
    ['nodePort on ClusterIP', (s) => (s.spec.ports[0].nodePort = 30080), undefined, [['FieldValueForbidden', 'spec.ports[0].nodePort']]],
    ['nodePort out of range', (s) => Object.assign(s.spec, { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }), undefined, [['FieldValueInvalid', 'spec.ports[0].nodePort']]],
    ['invalid clusterIP', (s) => (s.spec.clusterIP = '10.96.0.300'), undefined, [['FieldValueInvalid', 'spec.clusterIPs[0]']]],
    ['headless NodePort', (s) => Object.assign(s.spec, { type: 'NodePort', clusterIP: 'None' }), undefined, [['FieldValueInvalid', 'spec.clusterIPs[0]']]],
    ['ExternalName without a name', (s) => (s.spec = { type: 'ExternalName' }), undefined, [['FieldValueRequired', 'spec.externalName']]],
    ['ExternalName with a bad name', (s) => (s.spec = { type: 'ExternalName', externalName: 'not a host' }), undefined, [['FieldValueInvalid', 'spec.externalName']]],
    ['bad session affinity', (s) => (s.spec.sessionAffinity = 'Cookie'), undefined, [['FieldValueNotSupported', 'spec.sessionAffinity']]],
    ['externalTrafficPolicy on ClusterIP', (s) => (s.spec.externalTrafficPolicy = 'Local'), undefined, [['FieldValueInvalid', 'spec.externalTrafficPolicy']]],
    ['bad externalTrafficPolicy', (s) => Object.assign(s.spec, { type: 'NodePort', externalTrafficPolicy: 'Nearest' }), undefined, [['FieldValueNotSupported', 'spec.externalTrafficPolicy']]],
    ['bad selector', (s) => (s.spec.selector = { app: 'a b' }), undefined, [['FieldValueInvalid', 'spec.selector']]],
    ['loopback external IP', (s) => (s.spec.externalIPs = ['127.0.0.1']), undefined, [['FieldValueInvalid', 'spec.externalIPs[0]']]],
    ['missing internalTrafficPolicy', () => {}, (s) => delete s.spec.internalTrafficPolicy, [['FieldValueRequired', 'spec.internalTrafficPolicy']]],
  ])('%s', (_, before, after, expected) => {
    expect(kinds(validateService(service(before, after)))).toEqual(expected);
  });

  it('prints upstream messages', () => {
    expect(validateService(service((s) => (s.spec.type = 'Internal')))[0]!.message).toBe(
      'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
    expect(validateService(service((s) => (s.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }])))[0]!.message).toBe(
      'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
  });
});

describe('Service on update', () => {
  const old = service((s) => (s.spec.clusterIP = '10.96.0.10'));
  it('allows port changes', () => {
    expect(validateService(service((s) => Object.assign(s.spec, { clusterIP: '10.96.0.10', ports: [{ port: 8080 }] })), old)).toEqual([]);
  });
  it('keeps the cluster IP', () => {
    const errs = validateService(service((s) => (s.spec.clusterIP = '10.96.0.11')), old);
    expect(kinds(errs)).toEqual([['FieldValueInvalid', 'spec.clusterIPs[0]']]);
    expect(errs[0]!.message).toBe('Invalid value: []string{"10.96.0.11"}: may not change once set');
    expect(kinds(validateService(service(), old))).toEqual([['FieldValueInvalid', 'spec.clusterIPs[0]']]);
  });
  it('allows switching to ExternalName', () => {
    expect(validateService(service((s) => (s.spec = { type: 'ExternalName', externalName: 'db.example.com' })), old)).toEqual([]);
  });
});
