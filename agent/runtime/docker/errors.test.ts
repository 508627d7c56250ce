import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../runtime.js';
import { dockerMessage, toRuntimeError } from './errors.js';

function dockerodeError(statusCode: number, message: string) {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, json: { message } });
}

describe('toRuntimeError', () => {
  it.each([
    [dockerodeError(404, 'No such image: x:1'), 'ImageNotFound'],
    [dockerodeError(404, 'No such container: abc'), 'NotFound'],
    [dockerodeError(400, 'invalid mount config'), 'InvalidConfig'],
    [dockerodeError(409, 'Conflict. The container name is already in use'), 'Failed'],
    [dockerodeError(500, 'driver failed'), 'Failed'],
    [Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }), 'Unavailable'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'Unavailable'],
    [new Error('something else'), 'Failed'],
  ])('%s → %s', (err, code) => {
    expect(toRuntimeError(err).code).toBe(code);
  });

  it('keeps a RuntimeError and Docker’s own message', () => {
    const e = new RuntimeError('NotFound', 'x');
    expect(toRuntimeError(e)).toBe(e);
    expect(toRuntimeError(dockerodeError(404, 'No such container: abc')).message).toBe('No such container: abc');
  });

  it('strips dockerode decoration when there is no JSON body', () => {
    expect(dockerMessage(new Error('(HTTP code 500) server error - pull access denied - maybe '))).toBe('pull access denied - maybe');
    expect(dockerMessage(new Error('plain'))).toBe('plain');
  });
});
