import { describe, expect, it } from 'vitest';
import { expand } from './expansion.js';

const defined = new Map([
  ['VAR_A', 'A'],
  ['VAR_B', 'B'],
  ['VAR_EMPTY', ''],
  ['VAR_REF', '$(VAR_A)'],
]);
const vars = (name: string) => defined.get(name);

// Cases from upstream's expansion tests.
describe('$(VAR) expansion', () => {
  it.each([
    ['whole string', '$(VAR_A)', 'A'],
    ['repeat', '$(VAR_A)-$(VAR_A)', 'A-A'],
    ['beginning', '$(VAR_A)-1', 'A-1'],
    ['middle', '___$(VAR_B)___', '___B___'],
    ['end', '___$(VAR_B)', '___B'],
    ['compound', '$(VAR_A)_$(VAR_B)', 'A_B'],
    ['empty value', 'x$(VAR_EMPTY)y', 'xy'],
    ['no recursion', '$(VAR_REF)', '$(VAR_A)'],
    ['undefined stays', '$(VAR_UNKNOWN)', '$(VAR_UNKNOWN)'],
    ['escaped', '$$(VAR_A)', '$(VAR_A)'],
    ['escaped dollar alone', 'x$$y', 'x$y'],
    ['unclosed', '$(VAR_A', '$(VAR_A'],
    ['dollar then text', '$VAR_A', '$VAR_A'],
    ['trailing dollar', 'abc$', 'abc$'],
    ['empty name', '$()', '$()'],
    ['backslash untouched', '\\$(VAR_A)', '\\A'],
    ['escape then var', '$$$(VAR_A)', '$A'],
    ['nothing to do', 'plain', 'plain'],
  ])('%s: %s → %s', (_name, input, output) => {
    expect(expand(input, vars)).toBe(output);
  });
});
