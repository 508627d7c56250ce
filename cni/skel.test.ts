import { describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { runPlugin, type PluginHandlers } from './skel.js';
import { ErrorCode, type CniArgs, type NetConf } from './types.js';

const calls: { command: string; conf: NetConf; args: CniArgs }[] = [];
const handlers: PluginHandlers = {
  add: async (conf, args) => {
    calls.push({ command: 'ADD', conf, args });
    if (conf.fail) throw new CniError(120, 'handler failed', 'details here');
    if (conf.crash) throw new Error('boom');
    return { cniVersion: conf.cniVersion, ips: [{ address: '10.0.0.2/24', interface: 0 }], interfaces: [{ name: 'eth0', sandbox: '/ns' }] };
  },
  del: async (conf, args) => {
    calls.push({ command: 'DEL', conf, args });
  },
  check: async (conf, args) => {
    calls.push({ command: 'CHECK', conf, args });
  },
};

const ENV = { CNI_CONTAINERID: 'c1', CNI_NETNS: '/ns', CNI_IFNAME: 'eth0', CNI_PATH: '/a:/b', CNI_ARGS: 'K=V' };
const conf = (extra: object = {}) => JSON.stringify({ cniVersion: '1.0.0', name: 'net1', type: 'x', ...extra });

describe('runPlugin', () => {
  it('answers VERSION with the supported versions', async () => {
    const out = await runPlugin(handlers, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  });

  it('passes parsed parameters to ADD and prints the result in the config version', async () => {
    calls.length = 0;
    const out = await runPlugin(handlers, { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: '0.4.0' }));
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.4.0', ips: [{ address: '10.0.0.2/24', interface: 0, version: '4' }], interfaces: [{ name: 'eth0', sandbox: '/ns' }] });
    expect(calls[0]!.args).toEqual({ command: 'ADD', containerId: 'c1', netns: '/ns', ifName: 'eth0', args: 'K=V', path: ['/a', '/b'] });
  });

  it('runs DEL without a namespace and prints nothing', async () => {
    const { CNI_NETNS: _ns, ...env } = ENV;
    const out = await runPlugin(handlers, { ...env, CNI_COMMAND: 'DEL' }, conf());
    expect(out).toEqual({ stdout: '', exitCode: 0 });
  });

  it.each([
    ['no command', {}, conf(), ErrorCode.InvalidEnvironment],
    ['unknown command', { ...ENV, CNI_COMMAND: 'GC' }, conf(), ErrorCode.InvalidEnvironment],
    ['ADD without netns', { ...ENV, CNI_COMMAND: 'ADD', CNI_NETNS: '' }, conf(), ErrorCode.InvalidEnvironment],
    ['DEL without ifname', { ...ENV, CNI_COMMAND: 'DEL', CNI_IFNAME: '' }, conf(), ErrorCode.InvalidEnvironment],
    ['bad container id', { ...ENV, CNI_COMMAND: 'ADD', CNI_CONTAINERID: '-x' }, conf(), ErrorCode.InvalidEnvironment],
    ['ifname too long', { ...ENV, CNI_COMMAND: 'ADD', CNI_IFNAME: 'abcdefghijklmnop' }, conf(), ErrorCode.InvalidEnvironment],
    ['ifname with slash', { ...ENV, CNI_COMMAND: 'ADD', CNI_IFNAME: 'a/b' }, conf(), ErrorCode.InvalidEnvironment],
    ['stdin not JSON', { ...ENV, CNI_COMMAND: 'ADD' }, '{', ErrorCode.DecodingFailure],
    ['stdin not an object', { ...ENV, CNI_COMMAND: 'ADD' }, '[]', ErrorCode.DecodingFailure],
    ['old version', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: '0.2.0' }), ErrorCode.IncompatibleVersion],
    ['no version', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: undefined }), ErrorCode.InvalidConfig],
    ['bad network name', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ name: 'a b' }), ErrorCode.InvalidConfig],
    ['no type', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ type: '' }), ErrorCode.InvalidConfig],
    ['CHECK before 0.4.0', { ...ENV, CNI_COMMAND: 'CHECK' }, conf({ cniVersion: '0.3.1' }), ErrorCode.IncompatibleVersion],
    ['handler CniError', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ fail: true }), 120],
    ['handler crash', { ...ENV, CNI_COMMAND: 'ADD' }, conf({ crash: true }), ErrorCode.Internal],
  ])('%s → error code %i', async (_name, env, stdin, code) => {
    const out = await runPlugin(handlers, env, stdin);
    expect(out.exitCode).not.toBe(0);
    const err = JSON.parse(out.stdout);
    expect(err.code).toBe(code);
    expect(typeof err.msg).toBe('string');
    expect(typeof err.cniVersion).toBe('string');
  });

  it('prints handler details and the configuration version in errors', async () => {
    const out = await runPlugin(handlers, { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: '0.3.1', fail: true }));
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.3.1', code: 120, msg: 'handler failed', details: 'details here' });
  });
});
