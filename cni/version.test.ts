import { describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { ErrorCode, type Result } from './types.js';
import { compareVersions, decodeResult, encodeResult, requireSupportedVersion } from './version.js';

describe('versions', () => {
  it.each([
    ['0.3.0', '0.3.1', -1],
    ['1.0.0', '0.4.0', 1],
    ['0.4.0', '0.4.0', 0],
  ])('compare %s %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it.each([
    [undefined, ErrorCode.InvalidConfig],
    ['0.2.0', ErrorCode.IncompatibleVersion],
    ['2.0.0', ErrorCode.IncompatibleVersion],
    [1, ErrorCode.IncompatibleVersion],
  ])('requireSupportedVersion(%j) fails with code %i', (v, code) => {
    expect(() => requireSupportedVersion(v)).toThrow(expect.objectContaining({ code }));
  });
});

describe('encodeResult', () => {
  const result: Result = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24', interface: 0 }, { address: 'fd00::2/64' }] };

  it('adds ips[].version before 1.0.0', () => {
    expect(encodeResult(result, '0.4.0')).toEqual({
      cniVersion: '0.4.0',
      ips: [
        { address: '10.0.0.2/24', interface: 0, version: '4' },
        { address: 'fd00::2/64', version: '6' },
      ],
    });
  });

  it('drops ips[].version for 1.0.0', () => {
    expect(encodeResult(encodeResult(result, '0.3.1'), '1.0.0')).toEqual(result);
  });
});

describe('decodeResult', () => {
  it.each([
    ['not an object', 'x'],
    ['no version', {}],
    ['ips without address', { cniVersion: '1.0.0', ips: [{}] }],
    ['interface index not integer', { cniVersion: '1.0.0', ips: [{ address: '10.0.0.1/24', interface: 'a' }] }],
    ['routes without dst', { cniVersion: '1.0.0', routes: [{ gw: '10.0.0.1' }] }],
    ['interfaces without name', { cniVersion: '1.0.0', interfaces: [{}] }],
    ['dns nameservers not strings', { cniVersion: '1.0.0', dns: { nameservers: [1] } }],
  ])('rejects %s', (_name, raw) => {
    const err = (() => {
      try {
        decodeResult(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CniError);
    expect((err as CniError).code).toBe(ErrorCode.DecodingFailure);
  });
});
