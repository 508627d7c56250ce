import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLabels, parseLabelSelector, selectorFromLabelSelector, selectorFromSet } from './labels.js';
import { StatusError } from './status.js';

describe('parseLabelSelector', () => {
  it.each([
    ['', ''],
    ['   ', ''],
    ['x=a', 'x=a'],
    ['x==a', 'x==a'],
    ['x!=a', 'x!=a'],
    ['x=', 'x='],
    ['x in (b,a)', 'x in (a,b)'],
    ['x in (a,a)', 'x in (a)'],
    ['x notin (a)', 'x notin (a)'],
    ['x', 'x'],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x<5', 'x<5'],
    ['b=1,a=2', 'a=2,b=1'],
    ['  x  in  ( a , b )  ,  y  ', 'x in (a,b),y'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (a,)', 'x in (,a)'],
    ['x in (in,notin)', 'x in (in,notin)'],
    ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
    ['kubernetes.io/cluster-service=true', 'kubernetes.io/cluster-service=true'],
  ])('%j canonicalizes to %j', (input, want) => {
    expect(parseLabelSelector(input).toString()).toBe(want);
  });

  it.each([
    ['x=a', { x: 'a' }, true],
    ['x=a', { x: 'b' }, false],
    ['x=a', {}, false],
    ['x==a', { x: 'a' }, true],
    ['x!=a', {}, true],
    ['x!=a', { x: 'a' }, false],
    ['x!=a', { x: 'b' }, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x notin (a)', {}, true],
    ['x notin (a)', { x: 'a' }, false],
    ['x', { x: '' }, true],
    ['x', {}, false],
    ['!x', {}, true],
    ['!x', { x: 'a' }, false],
    ['x>1', { x: '2' }, true],
    ['x>1', { x: '1' }, false],
    ['x>1', { x: 'a' }, false],
    ['x>1', {}, false],
    ['x<1', { x: '0' }, true],
    ['x<1', { x: '-5' }, true],
    ['x=a,y', { x: 'a' }, false],
    ['x=a,y', { x: 'a', y: '' }, true],
    ['', { anything: 'goes' }, true],
  ] as [string, Record<string, string>, boolean][])('%j matches %j: %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it('treats missing labels as an empty set', () => {
    expect(parseLabelSelector('x').matches(undefined)).toBe(false);
    expect(parseLabelSelector('!x').matches(undefined)).toBe(true);
  });

  it('reports empty and requirements', () => {
    expect(parseLabelSelector('').empty()).toBe(true);
    const sel = parseLabelSelector('b in (y,x),a');
    expect(sel.empty()).toBe(false);
    expect(sel.requirements()).toEqual([
      { key: 'a', operator: 'exists', values: [] },
      { key: 'b', operator: 'in', values: ['x', 'y'] },
    ]);
  });

  const QUALIFIED =
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const VALUE =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

  it.each([
    ['x in', "unable to parse requirement: found '' expected: '('"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x=a,', "found '', expected: identifier after ','"],
    ['x=a,,', "found ',', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x ~ a', "unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"],
    ['x==(a)', "unable to parse requirement: found '(', expected: identifier"],
    ['!!x', "unable to parse requirement: found '!', expected: identifier"],
    ['x>a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a/b/c=x', `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${QUALIFIED}`],
    ['x=-bad-', `unable to parse requirement: values[0][x]: Invalid value: "-bad-": ${VALUE}`],
  ])('%j is a 400 with %j', (input, message) => {
    let err: unknown;
    try {
      parseLabelSelector(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(400);
    expect((err as StatusError).reason).toBe('BadRequest');
    expect((err as StatusError).message).toBe(message);
  });
});

describe('parseLabelSelector on arbitrary input', () => {
  it('returns a selector or throws a StatusError, nothing else', () => {
    const alphabet = fc.constantFrom('a', 'b', 'in', 'notin', '=', '!', '(', ')', ',', '<', '>', ' ', '-', '/', '.', '1', '\t');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }), (parts) => {
        try {
          const sel = parseLabelSelector(parts.join(''));
          // the canonical form parses back to itself
          expect(parseLabelSelector(sel.toString()).toString()).toBe(sel.toString());
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('selectorFromLabelSelector', () => {
  it('matches nothing for a missing selector and everything for an empty one', () => {
    const none = selectorFromLabelSelector(undefined);
    expect(none.matches({ a: 'b' })).toBe(false);
    expect(none.empty()).toBe(false);
    expect(none.toString()).toBe('');
    expect(selectorFromLabelSelector(null).matches({})).toBe(false);
    const all = selectorFromLabelSelector({});
    expect(all.matches({ a: 'b' })).toBe(true);
    expect(all.empty()).toBe(true);
    expect(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty()).toBe(true);
  });

  it.each([
    [{ matchLabels: { app: 'web' } }, 'app=web'],
    [{ matchLabels: { tier: 'fe', app: 'web' } }, 'app=web,tier=fe'],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['b', 'a'] }] }, 'app in (a,b)'],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, 'app notin (a)'],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, 'app'],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, '!app'],
    [
      { matchLabels: { z: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'm', operator: 'In', values: ['x'] }] },
      'a,m in (x),z=1',
    ],
  ])('%j is %j', (sel, want) => {
    expect(selectorFromLabelSelector(sel).toString()).toBe(want);
  });

  it('matches like the string form', () => {
    const sel = selectorFromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }] });
    expect(sel.matches({ app: 'web' })).toBe(true);
    expect(sel.matches({ app: 'web', track: 'stable' })).toBe(true);
    expect(sel.matches({ app: 'web', track: 'canary' })).toBe(false);
    expect(sel.matches({ app: 'db' })).toBe(false);
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    [{ matchLabels: { 'a/b/c': 'x' } }, 'key: Invalid value: "a/b/c": '],
    [{ matchExpressions: [{ key: '-a', operator: 'NotIn', values: [] }] }, '[key: Invalid value: "-a": '],
  ])('%j throws %j', (sel, message) => {
    expect(() => selectorFromLabelSelector(sel)).toThrow(message);
  });
});

describe('selectorFromSet and formatLabels', () => {
  it('selects exactly the set', () => {
    const sel = selectorFromSet({ b: '2', a: '1' });
    expect(sel.toString()).toBe('a=1,b=2');
    expect(sel.matches({ a: '1', b: '2', c: '3' })).toBe(true);
    expect(sel.matches({ a: '1' })).toBe(false);
    expect(selectorFromSet(undefined).empty()).toBe(true);
  });

  it.each([
    [{ b: '1', a: '2' }, 'a=2,b=1'],
    [{ a: '1', 'a.b': '2' }, 'a.b=2,a=1'],
    [{}, '<none>'],
    [undefined, '<none>'],
  ])('%j formats as %j', (set, want) => {
    expect(formatLabels(set)).toBe(want);
  });
});
