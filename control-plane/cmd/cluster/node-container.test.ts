import { describe, expect, it } from 'vitest';
import { boundingSetIsFull, nodeRunArgs, type NodeContainerSpec } from './node-container.js';

const spec: NodeContainerSpec = {
  cluster: 'c',
  node: { name: 'c-worker', role: 'worker' },
  network: 'tugboat-c',
  ip: '172.30.0.3',
  image: 'tugboat/node:abc',
  nodeBinary: '/usr/bin/node',
  repo: '/src/tugboat',
  devices: ['/dev/nvidia0'],
  labels: { extra: 'yes' },
};

/** The value following each occurrence of `flag`. */
const values = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('nodeRunArgs', () => {
  it('runs the entrypoint from the read-only repository with the node binary, a docker volume and a fixed address', () => {
    const args = nodeRunArgs(spec, 'privileged');
    expect(args.slice(0, 6)).toEqual(['run', '--detach', '--name', 'c-worker', '--hostname', 'c-worker']);
    expect(args.at(-1)).toBe('tugboat/node:abc');
    expect(values(args, '--label')).toEqual(['dev.tugboat.cluster=c', 'dev.tugboat.role=worker', 'extra=yes']);
    expect(values(args, '--volume')).toEqual(['/sys/fs/cgroup:/sys/fs/cgroup:rw', '/usr/bin/node:/usr/local/bin/node:ro', '/src/tugboat:/opt/tugboat:ro']);
    expect(values(args, '--mount')).toEqual(['type=volume,source=c-worker-var-lib-docker,target=/var/lib/docker,volume-label=dev.tugboat.cluster=c']);
    expect(values(args, '--env')).toEqual(['TUG_ROLE=worker', 'TUG_NODE_IP=172.30.0.3']);
    expect([values(args, '--network'), values(args, '--ip'), values(args, '--cgroupns')]).toEqual([['tugboat-c'], ['172.30.0.3'], ['host']]);
    expect(values(args, '--entrypoint')).toEqual(['/opt/tugboat/deploy/node-image/entrypoint.sh']);
    expect(values(args, '--device')).toEqual(['/dev/nvidia0:/dev/nvidia0:rwm']);
  });

  it('uses --privileged, or else the capability list of ENVIRONMENT.md', () => {
    const privileged = nodeRunArgs(spec, 'privileged');
    const caps = nodeRunArgs(spec, 'capabilities');
    expect(privileged).toContain('--privileged');
    expect(caps).not.toContain('--privileged');
    expect([values(caps, '--cap-add'), values(caps, '--cap-drop'), values(caps, '--device-cgroup-rule')]).toEqual([['ALL'], ['SYS_RESOURCE'], ['a *:* rwm']]);
    expect(values(caps, '--security-opt')).toEqual(['seccomp=unconfined', 'apparmor=unconfined', 'systempaths=unconfined']);
  });
});

describe('boundingSetIsFull', () => {
  it.each([
    { capBnd: '000001ffffffffff', lastCap: 40, full: true },
    { capBnd: '000001fffeffffff', lastCap: 40, full: false }, // CAP_SYS_RESOURCE (24) missing
    { capBnd: '0000003fffffffff', lastCap: 37, full: true },
  ])('CapBnd $capBnd with cap_last_cap $lastCap → $full', ({ capBnd, lastCap, full }) => {
    expect(boundingSetIsFull(`Name:\tnode\nCapPrm:\t0000000000000000\nCapBnd:\t${capBnd}\nCapAmb:\t0\n`, lastCap)).toBe(full);
  });
  it('is false without a CapBnd line', () => expect(boundingSetIsFull('Name:\tnode\n', 40)).toBe(false));
});
