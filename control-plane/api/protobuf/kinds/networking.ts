/**
 * networking.k8s.io/v1 Ingress (`kubectl create ingress`).
 */
import { TYPED_LOCAL_OBJECT_REFERENCE } from './core-refs.js';
import { f, inline, list, message, pointer } from './fields.js';
import { OBJECT_META } from './meta.js';

const INGRESS_BACKEND = message({
  4: f('service', message({ 1: f('name', 'string'), 2: f('port', message({ 1: f('name', 'string'), 2: f('number', 'int32') })) })),
  3: f('resource', TYPED_LOCAL_OBJECT_REFERENCE),
});

const INGRESS_RULE = message({
  1: f('host', 'string'),
  2: inline(
    'ingressRuleValue',
    message({
      1: f(
        'http',
        message({ 1: list('paths', message({ 1: f('path', 'string'), 3: pointer('pathType', 'string'), 2: f('backend', INGRESS_BACKEND) })) }),
      ),
    }),
  ),
});

const INGRESS_STATUS = message({
  1: f(
    'loadBalancer',
    message({
      1: list(
        'ingress',
        message({
          1: f('ip', 'string'),
          2: f('hostname', 'string'),
          4: list('ports', message({ 1: f('port', 'int32'), 2: f('protocol', 'string'), 3: pointer('error', 'string') })),
        }),
      ),
    }),
  ),
});

export const INGRESS = message({
  1: f('metadata', OBJECT_META),
  2: f(
    'spec',
    message({
      4: pointer('ingressClassName', 'string'),
      1: f('defaultBackend', INGRESS_BACKEND),
      2: list('tls', message({ 1: list('hosts', 'string'), 2: f('secretName', 'string') })),
      3: list('rules', INGRESS_RULE),
    }),
  ),
  3: f('status', INGRESS_STATUS),
});
