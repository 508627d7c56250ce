import { describe, expect, it } from 'vitest';
import { defaultSecret } from '../defaults/config.js';
import { validateConfigMap, validateSecret } from './config.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const meta = { name: 'cfg', namespace: 'default' };

describe('ConfigMap', () => {
  it('accepts valid keys', () => {
    expect(validateConfigMap({ metadata: meta, data: { 'app.conf': 'x', KEY_1: 'y' }, binaryData: { 'logo.png': b64('png') } })).toEqual([]);
  });
  it.each<[string, any, [string, string][]]>([
    ['key with a slash', { data: { 'a/b': 'x' } }, [['FieldValueInvalid', 'data[a/b]']]],
    ['key ..', { data: { '..': 'x' } }, [['FieldValueInvalid', 'data[..]']]],
    ['key in both maps', { data: { a: 'x' }, binaryData: { a: b64('y') } }, [['FieldValueInvalid', 'data[a]']]],
    ['over 1MiB', { data: { a: 'x'.repeat(1024 * 1024 + 1) } }, [['FieldValueTooLong', '']]],
    ['bad binary data', { binaryData: { a: '!!!' } }, [['FieldValueInvalid', 'binaryData[a]']]],
  ])('%s', (_, content, expected) => {
    expect(kinds(validateConfigMap({ metadata: meta, ...content }))).toEqual(expected);
  });
  it('words key errors as upstream', () => {
    expect(validateConfigMap({ metadata: meta, data: { 'a/b': 'x' } })[0]!.message).toBe(
      "Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  });
  it('refuses changes to an immutable config map', () => {
    const old = { metadata: meta, data: { a: '1' }, immutable: true };
    expect(kinds(validateConfigMap({ ...old, data: { a: '2' } }, old))).toEqual([['FieldValueForbidden', 'data']]);
    expect(kinds(validateConfigMap({ ...old, immutable: false }, old))).toEqual([['FieldValueForbidden', 'immutable']]);
    expect(validateConfigMap({ ...old, metadata: { ...meta, labels: { a: 'b' } } }, old)).toEqual([]);
  });
});

describe('Secret', () => {
  const secret = (content: Record<string, any>) => {
    const s = { metadata: { ...meta }, ...content };
    defaultSecret(s);
    return s;
  };
  it.each<[string, Record<string, any>]>([
    ['opaque', { data: { password: b64('x') } }],
    ['tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }],
    ['dockerconfigjson', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }],
    ['basic-auth with a username', { type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } }],
    ['ssh-auth', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': b64('key') } }],
    ['service-account-token', { type: 'kubernetes.io/service-account-token', metadata: { ...meta, annotations: { 'kubernetes.io/service-account.name': 'default' } } }],
  ])('accepts %s', (_, content) => {
    expect(validateSecret(secret(content))).toEqual([]);
  });
  it.each<[string, Record<string, any>, [string, string][]]>([
    ['tls without key', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, [['FieldValueRequired', 'data[tls.key]']]],
    ['dockerconfigjson missing', { type: 'kubernetes.io/dockerconfigjson' }, [['FieldValueRequired', 'data[.dockerconfigjson]']]],
    ['dockerconfigjson not JSON', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('nope') } }, [['FieldValueInvalid', 'data[.dockerconfigjson]']]],
    ['basic-auth empty', { type: 'kubernetes.io/basic-auth' }, [['FieldValueRequired', 'data[username]'], ['FieldValueRequired', 'data[password]']]],
    ['ssh-auth empty key', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }, [['FieldValueRequired', 'data[ssh-privatekey]']]],
    ['service-account-token without annotation', { type: 'kubernetes.io/service-account-token' }, [['FieldValueRequired', 'metadata.annotations[kubernetes.io/service-account.name]']]],
    ['bad key', { data: { 'a b': b64('x') } }, [['FieldValueInvalid', 'data[a b]']]],
    ['bad base64', { data: { a: 'not base64!' } }, [['FieldValueInvalid', 'data[a]']]],
  ])('%s', (_, content, expected) => {
    expect(kinds(validateSecret(secret(content)))).toEqual(expected);
  });
  it('keeps the type and an immutable secret unchanged', () => {
    const old = secret({ data: { a: b64('1') }, immutable: true });
    expect(kinds(validateSecret({ ...old, type: 'kubernetes.io/tls', data: { a: b64('1') } }, old))).toEqual([
      ['FieldValueInvalid', 'type'],
      ['FieldValueRequired', 'data[tls.crt]'],
      ['FieldValueRequired', 'data[tls.key]'],
    ]);
    expect(kinds(validateSecret({ ...old, data: { a: b64('2') } }, old))).toEqual([['FieldValueForbidden', 'data']]);
  });
});
