/**
 * Syntax checks beyond object names (those are in ../names.ts), worded as upstream's
 * k8s.io/apimachinery/pkg/util/validation: ports, port names, environment variable names,
 * config keys, percentages, IPs and CIDRs, path segments. Each returns the problems found
 * (empty: valid) unless it says otherwise.
 */
import { isIP } from 'node:net';
import { dns1123Label, dns1123Subdomain } from '../names.js';

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** Upstream's RegexError: the message, examples and the regular expression used. */
function regexError(msg: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${format}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

export function portNumber(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** An IANA_SVC_NAME: at most 15 of [-a-z0-9], with a letter, no `--`, no hyphen at either end. */
export function portName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  else if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  else if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  else if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** Environment variable names as 1.33 accepts them by default (RelaxedEnvironmentVariableValidation). */
export function envVarName(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('environment variable name must be non-empty');
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code < 32 || code > 126 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

function chDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`/`..`. */
export function configMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push(maxLenError(253));
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name'));
  }
  return errs.concat(chDirPrefix(key));
}

export function percent(value: string): string[] {
  return /^[0-9]+%$/.test(value)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

export function httpHeaderName(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value)
    ? []
    : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

/** Upstream's path segment names (RBAC objects, Events, scale targets): not `.`/`..`, no `/` or `%`. */
export function pathSegmentName(name: string, prefix = false): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** A name used with generateName: a trailing dash is allowed (it is followed by random characters). */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

export const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function isIPAddress(value: string): boolean {
  return isIP(value) !== 0;
}

export function isIPv6(value: string): boolean {
  return isIP(value) === 6;
}

/** A CIDR as `addr/prefix`; returns the family (4 or 6) and prefix length, or undefined when malformed. */
export function parseCIDR(value: string): { family: 4 | 6; address: string; bits: number } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const family = isIP(m[1]!);
  const bits = Number(m[2]);
  if (family === 0 || bits > (family === 4 ? 32 : 128)) return undefined;
  return { family: family as 4 | 6, address: m[1]!, bits };
}

/** A fully qualified domain name (EndpointSlice FQDN addresses): `[message, shownValue]` pairs. */
export function fqdn(name: string): { value: string; message: string } | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const sub = dns1123Subdomain(trimmed);
  if (sub.length) return { value: trimmed, message: sub.join(',') };
  const labels = trimmed.split('.');
  if (labels.length < 2) return { value: trimmed, message: 'should be a domain with at least two segments separated by dots' };
  for (const label of labels) {
    const errs = dns1123Label(label);
    if (errs.length) return { value: label, message: errs.join(',') };
  }
  return undefined;
}

/** `*.example.com` (Ingress wildcard hosts). */
export function wildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  const format = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
  if (!new RegExp(`^${format}$`).test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        format,
        '*.example.com',
      ),
    );
  }
  return errs;
}

/** `acme.io/foo` (IngressClass controllers): the problems as [shown value, message] pairs; Required when empty is the caller's. */
export function domainPrefixedPath(value: string): [string, string][] {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return [[value, 'must be a domain-prefixed path (such as "acme.io/foo")']];
  const host = value.slice(0, slash);
  const path = value.slice(slash + 1);
  const errs: [string, string][] = dns1123Subdomain(host).map((m) => [host, m]);
  const pathFormat = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
  if (!new RegExp(`^${pathFormat}$`).test(path)) errs.push([path, regexError('Invalid path', pathFormat)]);
  return errs;
}

/** User and group IDs: 0..2^31-1. */
export function unixID(id: number): string[] {
  return Number.isInteger(id) && id >= 0 && id <= 2147483647 ? [] : [inclusiveRangeError(0, 2147483647)];
}

function ipv4Octets(ip: string): number[] | undefined {
  return isIP(ip) === 4 ? ip.split('.').map(Number) : undefined;
}

/** The IPv6 address's first 16-bit group and whether it is all zeros / loopback. */
function ipv6Info(ip: string): { first: number; unspecified: boolean; loopback: boolean } | undefined {
  if (isIP(ip) !== 6) return undefined;
  const [head = '', tail = ''] = ip.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = parts(tail);
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const nums = groups.map((g) => (g.includes('.') ? 0 : parseInt(g, 16)));
  return { first: nums[0] ?? 0, unspecified: nums.every((n) => n === 0), loopback: nums.slice(0, 7).every((n) => n === 0) && nums[7] === 1 };
}

/**
 * Why an endpoint or external IP is special (upstream's ValidateNonSpecialIP): unspecified,
 * loopback, link-local or link-local multicast. Undefined for an ordinary address.
 */
export function specialIPProblem(ip: string): string | undefined {
  const v4 = ipv4Octets(ip);
  const v6 = ipv6Info(ip);
  if ((v4 && v4.every((o) => o === 0)) || v6?.unspecified) return `may not be unspecified (${ip})`;
  if ((v4 && v4[0] === 127) || v6?.loopback) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if ((v4 && v4[0] === 169 && v4[1] === 254) || (v6 && (v6.first & 0xffc0) === 0xfe80)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if ((v4 && v4[0] === 224 && v4[1] === 0 && v4[2] === 0) || (v6 && (v6.first & 0xff0f) === 0xff02)) {
    return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  }
  return undefined;
}
