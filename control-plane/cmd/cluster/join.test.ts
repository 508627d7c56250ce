import { describe, expect, it } from 'vitest';
import { agentJoinArgs } from './join.js';

describe('agentJoinArgs', () => {
  it('joins the agent with the bootstrap token and the CA pin, under its node name and address', () => {
    const join = { server: 'https://172.30.0.2:6443', token: 'abcdef.0123456789abcdef0123456789abcdef', caCertHash: `sha256:${'ab'.repeat(32)}` };
    expect(agentJoinArgs(join, { name: 'c-worker', ip: '172.30.0.3' })).toEqual([
      '--server', 'https://172.30.0.2:6443', '--token', join.token, '--ca-cert-hash', join.caCertHash, '--node-name', 'c-worker', '--node-ip', '172.30.0.3',
    ]);
  });
});
