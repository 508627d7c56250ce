import { describe, expect, it } from 'vitest';
import { Path, duplicate, forbidden, goLabelSelector, goStringMap, intOrString, invalid, notFound, notSupported, required, tooLong, tooMany } from './field.js';

describe('Path', () => {
  it('renders children, indexes and keys as upstream', () => {
    expect(Path.root('spec', 'template').child('spec', 'containers').index(0).child('image').toString()).toBe('spec.template.spec.containers[0].image');
    expect(Path.root('data').key('a.b').toString()).toBe('data[a.b]');
    expect(Path.root('').toString()).toBe('');
  });
});

describe('error bodies', () => {
  const p = Path.root('spec', 'x');
  it.each([
    [required(p), 'FieldValueRequired', 'Required value'],
    [required(p, 'must be set'), 'FieldValueRequired', 'Required value: must be set'],
    [invalid(p, 'Foo', 'bad'), 'FieldValueInvalid', 'Invalid value: "Foo": bad'],
    [invalid(p, 3, 'bad'), 'FieldValueInvalid', 'Invalid value: 3: bad'],
    [invalid(p, null, 'bad'), 'FieldValueInvalid', 'Invalid value: "null": bad'],
    [invalid(p, goStringMap({ b: '2', a: '1' }), 'bad'), 'FieldValueInvalid', 'Invalid value: map[string]string{"a":"1", "b":"2"}: bad'],
    [invalid(p, intOrString('25%'), 'bad'), 'FieldValueInvalid', 'Invalid value: 25%: bad'],
    [notSupported(p, 'Sometimes', ['Always', 'Never', 'OnFailure']), 'FieldValueNotSupported', 'Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"'],
    [duplicate(p, 'web'), 'FieldValueDuplicate', 'Duplicate value: "web"'],
    [notFound(p, 'data'), 'FieldValueNotFound', 'Not found: "data"'],
    [forbidden(p, 'may not be set'), 'FieldValueForbidden', 'Forbidden: may not be set'],
    [tooLong(p, 262144), 'FieldValueTooLong', 'Too long: may not be more than 262144 bytes'],
    [tooMany(p, 5, 3), 'FieldValueTooMany', 'Too many: 5: must have at most 3 items'],
  ])('%#', (err, type, message) => {
    expect(err).toEqual({ type, field: 'spec.x', message });
  });

  it('prints label selectors as Go does', () => {
    expect(goLabelSelector({ matchLabels: { app: 'web' } }).text).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    );
  });
});
