// Generates types.json (and descriptions.json) from the models that @kubernetes/client-node
// generates from the upstream OpenAPI document. Run from the repository root after upgrading
// client-node or adding a kind to control-plane/api/registry.ts:
//
//   node control-plane/api/schema/generate.mjs
//
// types.json holds, for every type reachable from a served kind:
//   kinds: "<group or core>/<version>/<Kind>" -> model name (V1Deployment)
//   names: model name -> upstream OpenAPI definition name (io.k8s.api.apps.v1.Deployment)
//   types: model name -> { jsonField: type expression }
// A type expression is a primitive (string, boolean, int32, int64, number, byte, date-time,
// int-or-string, any), a model name, `[]<expr>` (a list of) or `{}<expr>` (a map of).
// descriptions.json holds the first sentence of each type's and field's description, for
// `kubectl explain`. The product reads only these two files, never client-node.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const modelsDir = join(root, 'node_modules', '@kubernetes', 'client-node', 'dist', 'gen', 'models');
const kubeTypesDir = join(root, 'node_modules', 'kubernetes-types');

/** Served kinds, read from the registry table (group, version, kind of each entry). */
function servedKinds() {
  const source = readFileSync(join(root, 'control-plane', 'api', 'registry.ts'), 'utf8');
  const kinds = [];
  for (const m of source.matchAll(/entry\(\{ group: '([^']*)', version: '([^']*)', kind: '([^']*)'/g)) {
    kinds.push({ group: m[1], version: m[2], kind: m[3] });
  }
  if (kinds.length === 0) throw new Error('no entries found in registry.ts');
  return kinds;
}

/** Kinds the API server decodes besides the served resources (subresources and options). */
const EXTRA_KINDS = [
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  { group: '', version: 'v1', kind: 'Binding' },
  { group: 'policy', version: 'v1', kind: 'Eviction' },
  { group: 'meta.k8s.io', version: 'v1', kind: 'DeleteOptions' },
];

/** Model classes whose names carry their group because the plain name is ambiguous. */
const GROUP_PREFIXED = { '/Event': 'CoreV1Event', 'events.k8s.io/Event': 'EventsV1Event' };

function modelOf({ group, version, kind }) {
  const special = GROUP_PREFIXED[`${group}/${kind}`];
  if (special) return special;
  return `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
}

async function loadModel(name) {
  const file = join(modelsDir, `${name}.js`);
  if (!existsSync(file)) throw new Error(`client-node has no model ${name}`);
  const mod = await import(pathToFileURL(file).href);
  return mod[name];
}

/** Translates one client-node attribute type into a type expression; returns referenced models too. */
function expression(type, format) {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return `[]${expression(array[1], format)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return `{}${expression(map[1], format)}`;
  switch (type) {
    case 'string':
      return format === 'byte' ? 'byte' : 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return format === 'int32' || format === 'int64' ? format : 'number';
    case 'Date':
    case 'V1MicroTime':
      return 'date-time';
    case 'IntOrString':
      return 'int-or-string';
    case 'any':
      return 'any';
    default:
      return type;
  }
}

function referencedModel(expr) {
  const inner = expr.replace(/^(\[\]|\{\})+/, '');
  return /^[A-Z]/.test(inner) ? inner : undefined;
}

/** Parses a model's .d.ts for its class and property doc comments (first sentence each). */
function descriptionsOf(name) {
  const text = readFileSync(join(modelsDir, `${name}.d.ts`), 'utf8');
  const out = {};
  const cls = /\/\*\*\n\* ([^\n]*)\n\*\/\nexport declare class/.exec(text);
  if (cls) out[''] = firstSentence(cls[1]);
  for (const m of text.matchAll(/\/\*\*\n\s*\* ([^\n]*)\n\s*\*\/\n\s*'([^']+)'\??:/g)) out[m[2]] = firstSentence(m[1]);
  return out;
}

function firstSentence(text) {
  const end = text.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/);
  const sentence = end >= 0 ? text.slice(0, end + 1) : text;
  return sentence.length > 240 ? `${sentence.slice(0, 237)}...` : sentence;
}

/** kubernetes-types directory (= API group package) that declares `interface <name>` for a version. */
const interfaceIndex = (() => {
  const index = new Map();
  for (const dir of readdirSync(kubeTypesDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(kubeTypesDir, dir.name))) {
      if (!file.endsWith('.d.ts')) continue;
      const version = file.slice(0, -'.d.ts'.length);
      const text = readFileSync(join(kubeTypesDir, dir.name, file), 'utf8');
      for (const m of text.matchAll(/export interface (\w+) /g)) {
        const key = `${version}/${m[1]}`;
        if (!index.has(key)) index.set(key, []);
        index.get(key).push(dir.name);
      }
    }
  }
  return index;
})();

function packageOf(dir, version) {
  if (dir === 'meta') return `io.k8s.apimachinery.pkg.apis.meta.${version}`;
  if (dir === 'apiextensions') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
  return `io.k8s.api.${dir}.${version}`;
}

/** Models newer than kubernetes-types that live outside core/v1. */
const NEWER_MODELS = {
  V1FieldSelectorAttributes: 'io.k8s.api.authorization.v1.FieldSelectorAttributes',
  V1LabelSelectorAttributes: 'io.k8s.api.authorization.v1.LabelSelectorAttributes',
  V1FieldSelectorRequirement: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement',
  V1ForNode: 'io.k8s.api.discovery.v1.ForNode',
};

/** The upstream OpenAPI definition name of a client-node model. */
function upstreamName(model) {
  if (NEWER_MODELS[model]) return NEWER_MODELS[model];
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  if (!m) throw new Error(`cannot parse model name ${model}`);
  const [, groupPrefix, rawVersion, name] = m;
  const version = rawVersion.toLowerCase();
  if (groupPrefix) return `${packageOf(groupPrefix.toLowerCase(), version)}.${name}`;
  const dirs = interfaceIndex.get(`${version}/${name}`) ?? [];
  // Types newer than kubernetes-types are core types in practice; meta wins ties (ObjectMeta, Condition).
  const dir = dirs.includes('meta') ? 'meta' : dirs.includes('core') ? 'core' : (dirs[0] ?? 'core');
  return `${packageOf(dir, version)}.${name}`;
}

async function main() {
  const kinds = {};
  for (const k of [...servedKinds(), ...EXTRA_KINDS]) kinds[`${k.group || 'core'}/${k.version}/${k.kind}`] = modelOf(k);

  const types = {};
  const descriptions = {};
  const queue = [...new Set(Object.values(kinds))];
  while (queue.length > 0) {
    const name = queue.shift();
    if (types[name]) continue;
    const model = await loadModel(name);
    const fields = {};
    for (const attr of model.getAttributeTypeMap()) {
      const expr = expression(attr.type, attr.format);
      fields[attr.baseName] = expr;
      const ref = referencedModel(expr);
      if (ref && !types[ref]) queue.push(ref);
    }
    types[name] = fields;
    descriptions[name] = descriptionsOf(name);
  }

  const sortedKeys = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const names = {};
  for (const name of Object.keys(types).sort()) names[name] = upstreamName(name);
  writeFileSync(join(here, 'types.json'), `${JSON.stringify({ kinds, names, types: sortedKeys(types) })}\n`);
  writeFileSync(join(here, 'descriptions.json'), `${JSON.stringify(sortedKeys(descriptions))}\n`);
  process.stdout.write(`${Object.keys(types).length} types for ${Object.keys(kinds).length} kinds\n`);
}

await main();
