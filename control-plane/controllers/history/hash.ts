/**
 * Revision hashes as upstream builds them: a 32-bit FNV hash of a revision's data (plus the owner's
 * collision count, when a name was already taken by different data), written in upstream's
 * "safe" alphabet (no vowels, no 0/1/3) so that generated names never spell words.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits, of the UTF-8 bytes of `text`. Pure. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upstream's rand.SafeEncodeString: every character mapped into the safe alphabet. Pure. */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The hash naming a revision: `data` is the revision's canonical JSON; a collision count (when set)
 * is mixed in so that a new name can be found after a collision. Pure and deterministic.
 */
export function revisionHash(data: string, collisionCount?: number): string {
  const suffix = collisionCount === undefined ? '' : String(collisionCount);
  return safeEncode(String(fnv32a(data + suffix)));
}
