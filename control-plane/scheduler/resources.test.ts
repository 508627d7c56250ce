import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, isScalarResource, podRequests } from './resources.js';

const container = (requests: Record<string, string>, extra: Record<string, unknown> = {}) => ({ name: 'c', resources: { requests }, ...extra });

describe('podRequests', () => {
  it.each([
    { name: 'sums containers', spec: { containers: [container({ cpu: '250m', memory: '64Mi' }), container({ cpu: '750m', memory: '64Mi' })] }, cpu: 1000, memory: 128 * 2 ** 20 },
    {
      name: 'an init container larger than the containers sets the need',
      spec: { initContainers: [container({ cpu: '2' })], containers: [container({ cpu: '1' })] },
      cpu: 2000,
      memory: 0,
    },
    {
      name: 'sidecars run beside the containers and later init containers',
      spec: {
        initContainers: [container({ cpu: '500m' }, { restartPolicy: 'Always' }), container({ cpu: '2' })],
        containers: [container({ cpu: '1' })],
      },
      cpu: 2500,
      memory: 0,
    },
    { name: 'overhead adds', spec: { containers: [container({ cpu: '1' })], overhead: { cpu: '100m', memory: '10Mi' } }, cpu: 1100, memory: 10 * 2 ** 20 },
  ])('$name', ({ spec, cpu, memory }) => {
    const r = podRequests(spec);
    expect([r.milliCPU, r.memory]).toEqual([cpu, memory]);
  });

  it('counts extended resources and leaves out unknown native ones', () => {
    const r = podRequests({ containers: [container({ 'nvidia.com/gpu': '2', 'hugepages-2Mi': '4Mi', 'kubernetes.io/foo': '1' })] });
    expect(Object.fromEntries(r.scalars!)).toEqual({ 'nvidia.com/gpu': 2, 'hugepages-2Mi': 4 * 2 ** 20 });
  });

  it('uses the non-zero defaults for scoring only', () => {
    const spec = { containers: [container({}), container({ cpu: '1' })] };
    expect(podRequests(spec).milliCPU).toBe(1000);
    const nonZero = podRequests(spec, true);
    expect([nonZero.milliCPU, nonZero.memory]).toEqual([DEFAULT_MILLI_CPU_REQUEST + 1000, 2 * DEFAULT_MEMORY_REQUEST]);
  });

  it.each([
    ['nvidia.com/gpu', true],
    ['hugepages-1Gi', true],
    ['example.com/foo', true],
    ['cpu', false],
    ['kubernetes.io/foo', false],
    ['requests.nvidia.com/gpu', false],
  ])('isScalarResource(%s) = %s', (name, want) => {
    expect(isScalarResource(name)).toBe(want);
  });
});
