/**
 * Owners known to be gone, by uid, as upstream's absentOwnerCache: once one dependent found its
 * owner missing, its siblings are collected without asking the API again. Bounded (least recently
 * added go first); a uid never comes back, so an entry never turns wrong.
 */
export class AbsentOwners {
  private readonly uids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  add(uid: string): void {
    this.uids.delete(uid);
    this.uids.add(uid);
    if (this.uids.size > this.capacity) this.uids.delete(this.uids.values().next().value!);
  }

  has(uid: string): boolean {
    return this.uids.has(uid);
  }
}
