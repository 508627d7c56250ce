/**
 * The pod-template-hash of a Deployment's template, as upstream's controller.ComputeHash: FNV-1a
 * (32 bit) of the template, then of the collision count as 8 little-endian bytes when there is
 * one, written in decimal and mapped onto upstream's "safe" alphabet (no vowels, no 0/1/3), so
 * hashes look like upstream's (`5d78c9f6b`). The template is hashed in a canonical JSON form
 * (keys sorted; null, empty objects and empty lists left out), so that a template that made a
 * round trip through kubectl (`rollout undo`) hashes and compares as the original. Pure.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** The label that ties a ReplicaSet and its pods to one template of a Deployment. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream's rand.SafeEncodeString: each character mapped onto the safe alphabet by its code. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1a, 32 bit, continuing from `hash`. */
export function fnv1a32(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const c = canonical((v as Record<string, unknown>)[k]);
    if (!isEmpty(c)) out[k] = c;
  }
  return out;
}

/** JSON with sorted keys, leaving out null, {} and []. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(canonical(v)) ?? '';
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv1a32(Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv1a32(bytes, h);
  }
  return safeEncode(String(h));
}

function withoutHashLabel(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

/** Whether two templates are the same apart from the pod-template-hash label (upstream's EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}
