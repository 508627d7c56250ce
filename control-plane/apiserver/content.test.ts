import { describe, expect, it } from 'vitest';
import { StatusError } from '../api/status.js';
import { decodeObjectBody, decodePatchBody } from './content.js';

/** `depth` arrays nested in one another around a string. */
const nested = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;

describe('nesting limit', () => {
  it.each([
    ['a JSON object body', (text: string) => decodeObjectBody('application/json', Buffer.from(text))],
    ['a merge patch', (text: string) => decodePatchBody('application/merge-patch+json', Buffer.from(text))],
  ])('accepts 1000 levels and refuses 1001 with a 400 in %s', (_name, decode) => {
    expect(() => decode(nested(1000))).not.toThrow();
    let err: unknown;
    try {
      decode(nested(1001));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(400);
    expect((err as StatusError).message).toBe('json: exceeded max depth of 1000 nested arrays and objects');
  });

  it('refuses YAML nested deeper than its parser goes with a 400 too', () => {
    expect(() => decodeObjectBody('application/yaml', Buffer.from(nested(200)))).not.toThrow();
    expect(() => decodeObjectBody('application/yaml', Buffer.from(nested(100_000)))).toThrow(/error converting YAML to JSON: the document is nested too deeply/);
  });

  it('checks a million levels without running out of stack', () => {
    expect(() => decodeObjectBody('application/json', Buffer.from(nested(1_000_000)))).toThrow(/exceeded max depth/);
  });
});
