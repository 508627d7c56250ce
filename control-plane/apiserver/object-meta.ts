/**
 * The server-owned parts of ObjectMeta, as upstream's generic registry sets them: uid,
 * creationTimestamp, generateName, generation. Pure apart from the clock and random source given.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { KObject } from '../store/store.js';

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Upstream's name-suffix alphabet: no vowels (no words), no easily confused characters. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_PREFIX = 58;

/** generateName + 5 random characters, the prefix cut so the result fits 63 characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATED_NAME_PREFIX) + suffix;
}

/**
 * Fills the server-owned metadata of a new object, in place: name from generateName when unset,
 * a fresh uid, creationTimestamp, generation 1 for kinds that track it; clears what a client may not set.
 */
export function prepareMetaForCreate(obj: KObject, tracksGeneration: boolean, now: Date): void {
  const meta = obj.metadata;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/**
 * Carries the server-owned metadata of the stored object into an update, in place, and bumps
 * generation when `specChanged` says the desired state changed.
 */
export function prepareMetaForUpdate(obj: KObject, old: KObject, tracksGeneration: boolean, specChanged: boolean): void {
  const meta = obj.metadata;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  if (old.metadata.deletionTimestamp !== undefined) meta.deletionTimestamp = old.metadata.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (tracksGeneration) {
    const previous = old.metadata.generation ?? 1;
    meta.generation = specChanged ? previous + 1 : previous;
  } else {
    delete meta.generation;
  }
}
