/**
 * Label selectors as upstream's k8s.io/apimachinery/pkg/labels implements them: the string syntax
 * of `?labelSelector=` and `kubectl -l` (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, `a>1`, `a<1`), and metav1.LabelSelector objects (matchLabels / matchExpressions).
 * Error texts are upstream's, so a client sees the same message it would from Kubernetes.
 */
import { labelValue, qualifiedName } from './names.js';
import { badRequest } from './status.js';

/** Upstream's selection.Operator values. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement: `key` related to `values` by `operator`; all of a selector's requirements must hold. */
export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** Whether every requirement holds for these labels (a missing label set counts as empty). */
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector does not restrict anything (it matches every object). */
  empty(): boolean;
  /** Upstream's canonical form: requirements sorted by key, set values sorted: `app=web,tier in (a,b)`. */
  toString(): string;
  requirements(): readonly Requirement[];
}

/** A metav1.LabelSelector as stored in objects. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const NOTHING: LabelSelector = {
  matches: () => false,
  empty: () => false,
  toString: () => '',
  requirements: () => [],
};

function has(labels: Record<string, string>, key: string): boolean {
  return Object.hasOwn(labels, key);
}

function toInt(value: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const present = has(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && r.values.includes(labels[r.key]!);
    case 'notin':
    case '!=':
      return !present || !r.values.includes(labels[r.key]!);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present || r.values.length !== 1) return false;
      const have = toInt(labels[r.key]!);
      const want = toInt(r.values[0]!);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

const OPERATOR_TEXT: Record<Operator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function requirementString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${OPERATOR_TEXT[r.operator]}${set ? `(${values})` : values}`;
}

function selectorOf(requirements: Requirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    empty: () => sorted.length === 0,
    toString: () => sorted.map(requirementString).join(','),
    requirements: () => sorted,
  };
}

// ---- validation, worded as upstream's field.Error / NewRequirement ----

/** Go's %#v of a []string, as field.Invalid prints a bad value list. */
function goStrings(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function invalidValue(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${value}: ${detail}`;
}

function keyErrors(key: string, path: string): string[] {
  const errs = qualifiedName(key);
  return errs.length ? [invalidValue(path, JSON.stringify(key), errs.join('; '))] : [];
}

/** Upstream's utilerrors aggregate message: one error as is, several as `[a, b]`, duplicates once. */
function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/**
 * Checks a requirement as upstream's NewRequirement does (key syntax, value count for the operator,
 * value syntax). Returns the problems; empty when valid. `keyPath` is where key errors point.
 */
function requirementErrors(key: string, op: Operator, values: readonly string[], keyPath: string): string[] {
  const errs = keyErrors(key, keyPath);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidValue('values', goStrings(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidValue('values', goStrings(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidValue('values', goStrings(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidValue('values', goStrings(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (toInt(v) === undefined) errs.push(invalidValue(`values[${i}]`, JSON.stringify(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const problems = labelValue(v);
    if (problems.length) errs.push(invalidValue(`values[${i}][${key}]`, JSON.stringify(v), problems.join('; ')));
  });
  return errs;
}

// ---- the string syntax: lexer and parser as upstream's ----

type Token =
  | 'end'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'identifier'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const LITERAL_TOKENS: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

function tokenOf(text: string): Token | undefined {
  return Object.hasOwn(LITERAL_TOKENS, text) ? LITERAL_TOKENS[text] : undefined;
}

interface Item {
  token: Token;
  literal: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // the longest run of special characters that forms an operator (each one alone does)
      let item: Item = { token: tokenOf(s[pos]!)!, literal: s[pos++]! };
      while (pos < s.length && isSpecial(s[pos]!)) {
        const token = tokenOf(item.literal + s[pos]);
        if (!token) break;
        item = { token, literal: item.literal + s[pos++] };
      }
      items.push(item);
    } else {
      let buffer = '';
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buffer += s[pos++];
      items.push({ token: tokenOf(buffer) ?? 'identifier', literal: buffer });
    }
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** The current token; in a value position `in` and `notin` are plain identifiers. */
  private peek(values = true): Item {
    return this.normalize(this.items[this.position]!, values);
  }

  private next(values = true): Item {
    return this.normalize(this.items[this.position++]!, values);
  }

  private normalize(item: Item, values: boolean): Item {
    return values && (item.token === 'in' || item.token === 'notin') ? { token: 'identifier', literal: item.literal } : item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { token, literal } = this.peek();
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') throw new Error(`found '${literal}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.requirement());
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.next();
      if (after.token === 'end') return requirements;
      if (after.token !== ',') throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.token !== 'identifier' && following.token !== '!') {
        throw new Error(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let unary: Operator | undefined;
    let item = this.next();
    if (item.token === '!') {
      unary = '!';
      item = this.next();
    }
    if (item.token !== 'identifier') throw new Error(`found '${item.literal}', expected: identifier`);
    const key = item.literal;
    const keyProblems = keyErrors(key, '<nil>');
    if (keyProblems.length) throw new Error(keyProblems[0]);
    const ahead = this.peek().token;
    if (ahead === 'end' || ahead === ',') unary ??= 'exists';
    if (unary) return this.build(key, unary, []);
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return this.build(key, op, [...new Set(values)].sort());
  }

  private build(key: string, operator: Operator, values: string[]): Requirement {
    const errs = requirementErrors(key, operator, values, 'key');
    if (errs.length) throw new Error(aggregate(errs));
    return { key, operator, values };
  }

  private operator(): Operator {
    const { token, literal } = this.next(false);
    switch (token) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Error(`found '${literal}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.token !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.peek();
    if (token === ')') {
      this.next();
      return [''];
    }
    if (token !== 'identifier' && token !== ',') throw new Error(`found '${literal}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    if (this.next().token !== ')') throw new Error(`found '${literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries are the empty value: `(a,,b)`, `(,a)`, `(a,)`. */
  private identifiers(): string[] {
    const values: string[] = [];
    for (;;) {
      const { token, literal } = this.next();
      if (token === 'identifier') {
        values.push(literal);
        const after = this.peek();
        if (after.token === ',') continue;
        if (after.token === ')') return values;
        throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (token !== ',') throw new Error(`found '${literal}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const after = this.peek().token;
      if (after === ')') {
        values.push('');
        return values;
      }
      if (after === ',') values.push('');
    }
  }

  private exactValue(): string[] {
    const ahead = this.peek().token;
    if (ahead === 'end' || ahead === ',') return [''];
    const { token, literal } = this.next();
    if (token === 'identifier') return [literal];
    throw new Error(`found '${literal}', expected: identifier`);
  }
}

/**
 * Parses the string form of a label selector (`?labelSelector=`). The empty string selects
 * everything. Throws StatusError BadRequest (400) with upstream's message on bad syntax.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return selectorOf(new Parser(lex(s)).parse());
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * The selector of a metav1.LabelSelector, as upstream's LabelSelectorAsSelector: a missing
 * selector matches nothing, an empty one matches everything. Throws a plain Error with upstream's
 * text when an operator, key or value is invalid (validation reports these before storage).
 */
export function selectorFromLabelSelector(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (!sel) return NOTHING;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    const errs = requirementErrors(key, '=', [value], 'key');
    if (errs.length) throw new Error(aggregate(errs));
    requirements.push({ key, operator: '=', values: [value] });
  }
  for (const expr of sel.matchExpressions ?? []) {
    const operator = Object.hasOwn(EXPRESSION_OPERATORS, expr.operator) ? EXPRESSION_OPERATORS[expr.operator] : undefined;
    if (!operator) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const values = [...(expr.values ?? [])];
    const errs = requirementErrors(expr.key, operator, values, 'key');
    if (errs.length) throw new Error(aggregate(errs));
    requirements.push({ key: expr.key, operator, values });
  }
  return selectorOf(requirements);
}

/** The selector matching exactly these labels (a Service's or ReplicationController's selector); empty matches all. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return selectorOf(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}

/** Upstream's labels.FormatLabels: the `key=value` pairs sorted as strings and joined by ',', or `<none>`. */
export function formatLabels(set: Record<string, string> | undefined): string {
  const pairs = Object.entries(set ?? {}).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.sort().join(',') : '<none>';
}
