/**
 * The Store contract as a reusable vitest suite: every implementation runs it (redis-store.test.ts
 * for Redis). It pins the semantics the API server relies on; see store.ts for the contract itself.
 *
 * makeStore gets tuning the implementation must honour (a small history to provoke 410, a small
 * watch buffer to provoke overflow) and returns a fresh, empty store, a cleanup, and optionally
 * `another()`: a second store instance over the same state (a second API server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_OBJECT, StatusError } from '../api/status.js';
import type { KObject, ObjectKey, Store, Watch, WatchEvent } from './store.js';

export interface ContractTuning {
  /** Events of history kept per resource; watching from an older resourceVersion must answer 410. */
  historyLimit?: number;
  /** Events a watcher may fall behind before it is ended. */
  watchBufferSize?: number;
}

export interface StoreUnderTest {
  store: Store;
  /** Closes the store(s) and releases whatever backs them. Called even when tests fail. */
  cleanup(): Promise<void>;
  /** A second store instance on the same backing state (closed by cleanup). */
  another?(): Promise<Store>;
}

const EVENT_TIMEOUT_MS = 5000;

export function storeContract(name: string, makeStore: (tuning: ContractTuning) => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    let main: StoreUnderTest;
    let store: Store;
    let unique = 0;
    /** A namespace no other test uses. */
    const ns = () => `ns${++unique}`;
    /** A storage resource no other test uses. */
    const resource = () => `contract.tugboat.dev/things${++unique}`;

    async function open(tuning: ContractTuning = {}): Promise<StoreUnderTest> {
      const made = await makeStore(tuning);
      cleanups.push(() => made.cleanup());
      return made;
    }

    beforeAll(async () => {
      main = await open();
      store = main.store;
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    });

    describe('create and get', () => {
      it('returns the object with a resourceVersion, which get returns too', async () => {
        const key = podKey(ns(), 'a');
        const input = pod(key, { labels: { app: 'web' } });
        const created = await store.create(key, input);
        expect(created.metadata.resourceVersion).toMatch(/^[1-9]\d*$/);
        expect(input.metadata.resourceVersion).toBeUndefined();
        expect(created).toEqual({ ...input, metadata: { ...input.metadata, resourceVersion: created.metadata.resourceVersion } });
        expect(await store.get(key)).toEqual(created);
      });

      it('ignores a resourceVersion on the object to create', async () => {
        const key = podKey(ns(), 'a');
        const before = Number(await store.currentResourceVersion());
        const created = await store.create(key, pod(key, { resourceVersion: '999999' }));
        expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(before);
        expect((await store.get(key)).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      });

      it('keeps JSON exactly: empty arrays and objects, unicode, numbers, null', async () => {
        const key = podKey(ns(), 'json');
        const spec = { containers: [], volumes: {}, nested: { list: [[], {}], text: 'ünï\ncode "q" \\', n: 1.5, big: 2 ** 40, none: null } };
        const watch = await store.watch('core/pods', { namespace: key.namespace });
        try {
          await store.create(key, { ...pod(key), spec });
          expect((await store.get(key)).spec).toEqual(spec);
          expect((await store.list('core/pods', { namespace: key.namespace })).items[0]!.spec).toEqual(spec);
          expect((await nextEvent(watch)).object.spec).toEqual(spec);
        } finally {
          watch.stop();
        }
      });

      it.each([
        ['core/pods', 'pods "taken" already exists', { name: 'taken', kind: 'pods' }],
        ['apps/deployments', 'deployments.apps "taken" already exists', { name: 'taken', kind: 'deployments', group: 'apps' }],
      ])('answers 409 AlreadyExists for a taken key (%s)', async (res, message, details) => {
        const key = { resource: res, namespace: ns(), name: 'taken' };
        await store.create(key, pod(key));
        const err = await rejection(store.create(key, pod(key)));
        expect(err).toMatchObject({ code: 409, reason: 'AlreadyExists', message });
        expect(err.details).toEqual(details);
      });

      it.each([
        ['core/pods', 'pods "missing" not found'],
        ['apps/deployments', 'deployments.apps "missing" not found'],
        ['rbac.authorization.k8s.io/clusterroles', 'clusterroles.rbac.authorization.k8s.io "missing" not found'],
      ])('answers 404 NotFound for an absent key (%s)', async (res, message) => {
        const err = await rejection(store.get({ resource: res, namespace: '', name: 'missing' }));
        expect(err).toMatchObject({ code: 404, reason: 'NotFound', message });
      });

      it('keeps the same name apart in different namespaces and resources', async () => {
        const [a, b] = [ns(), ns()];
        await store.create(podKey(a, 'same'), pod(podKey(a, 'same'), { labels: { at: 'a' } }));
        await store.create(podKey(b, 'same'), pod(podKey(b, 'same'), { labels: { at: 'b' } }));
        const other = { resource: resource(), namespace: a, name: 'same' };
        await store.create(other, pod(other, { labels: { at: 'other' } }));
        expect((await store.get(podKey(a, 'same'))).metadata.labels).toEqual({ at: 'a' });
        expect((await store.get(podKey(b, 'same'))).metadata.labels).toEqual({ at: 'b' });
        expect((await store.get(other)).metadata.labels).toEqual({ at: 'other' });
      });
    });

    describe('update', () => {
      it('with the current resourceVersion succeeds and returns a newer one', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const updated = await store.update(key, { ...created, spec: { changed: true } });
        expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
        expect(await store.get(key)).toEqual(updated);
      });

      it('with a stale resourceVersion answers 409 Conflict and changes nothing', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const current = await store.update(key, { ...created, spec: { v: 2 } });
        const err = await rejection(store.update(key, { ...created, spec: { v: 3 } }));
        expect(err).toMatchObject({ code: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on pods "a": ${STALE_OBJECT}` });
        expect(await store.get(key)).toEqual(current);
      });

      it('without a resourceVersion is unconditional', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        await store.update(key, { ...created, spec: { v: 2 } });
        const { resourceVersion: _rv, ...metadata } = created.metadata;
        const updated = await store.update(key, { ...created, metadata, spec: { v: 3 } });
        expect(updated.spec).toEqual({ v: 3 });
        expect((await store.get(key)).spec).toEqual({ v: 3 });
      });

      it('of an absent object answers 404', async () => {
        const key = podKey(ns(), 'absent');
        await expect(store.update(key, pod(key))).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
      });

      it('that changes nothing writes nothing: same resourceVersion, no event', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key, { labels: { x: '1' } }));
        const watch = await store.watch('core/pods', { namespace: key.namespace, resourceVersion: created.metadata.resourceVersion });
        try {
          const same = await store.update(key, structuredClone(created));
          expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
          const changed = await store.update(key, { ...created, spec: { v: 2 } });
          const event = await nextEvent(watch);
          expect(event).toMatchObject({ type: 'MODIFIED', object: { metadata: { resourceVersion: changed.metadata.resourceVersion } } });
        } finally {
          watch.stop();
        }
      });
    });

    describe('guaranteedUpdate', () => {
      it('retries on conflict so that concurrent read-modify-writes all apply', async () => {
        const key = podKey(ns(), 'counter');
        await store.create(key, { ...pod(key), spec: { count: 0 } });
        const writers = Array.from({ length: 12 }, () =>
          store.guaranteedUpdate<KObject>(key, async (current) => {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
            return { ...current, spec: { count: (current.spec as { count: number }).count + 1 } };
          }),
        );
        await Promise.all(writers);
        expect((await store.get(key)).spec).toEqual({ count: 12 });
      });

      it('hands tryUpdate a private copy carrying the current resourceVersion', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key, { labels: { a: '1' } }));
        let seen: KObject | undefined;
        const updated = await store.guaranteedUpdate<KObject>(key, (current) => {
          seen = current;
          current.metadata.labels!.a = '2';
          return current;
        });
        expect(seen!.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
        expect(created.metadata.labels).toEqual({ a: '1' });
        expect(updated.metadata.labels).toEqual({ a: '2' });
        expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      });

      it('ignores a resourceVersion tryUpdate sets and compares the one it read', async () => {
        const key = podKey(ns(), 'a');
        await store.create(key, pod(key));
        const updated = await store.guaranteedUpdate<KObject>(key, (current) => ({ ...current, metadata: { ...current.metadata, resourceVersion: '1' }, spec: { v: 2 } }));
        expect((await store.get(key)).spec).toEqual({ v: 2 });
        expect(updated.spec).toEqual({ v: 2 });
      });

      it('propagates a StatusError thrown by tryUpdate without writing', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const refusal = new StatusError(422, 'Invalid', 'nope');
        await expect(store.guaranteedUpdate(key, () => { throw refusal; })).rejects.toBe(refusal);
        expect(await store.get(key)).toEqual(created);
      });

      it('answers 404 for an absent object', async () => {
        await expect(store.guaranteedUpdate(podKey(ns(), 'absent'), (c) => c)).rejects.toMatchObject({ code: 404 });
      });
    });

    describe('delete', () => {
      it('removes the object and returns its last state with the deletion resourceVersion', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key, { labels: { a: '1' } }));
        const result = await store.delete(key);
        expect(result.deleted).toBe(true);
        expect(result.object.metadata.labels).toEqual({ a: '1' });
        expect(Number(result.object.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
        await expect(store.get(key)).rejects.toMatchObject({ code: 404 });
        await expect(store.delete(key)).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
      });

      it.each([
        ['uid', { uid: 'other-uid' }, 'Precondition failed: UID in precondition: other-uid, UID in object meta: uid-a'],
        ['resourceVersion', { resourceVersion: '1' }, 'Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: RV'],
      ])('answers 409 Conflict when the %s precondition fails', async (_what, preconditions, why) => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const err = await rejection(store.delete(key, preconditions));
        expect(err).toMatchObject({
          code: 409,
          reason: 'Conflict',
          message: `Operation cannot be fulfilled on pods "a": ${why.replace('RV', created.metadata.resourceVersion!)}`,
        });
        expect(await store.get(key)).toEqual(created);
      });

      it('deletes when the preconditions hold', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const result = await store.delete(key, { uid: 'uid-a', resourceVersion: created.metadata.resourceVersion });
        expect(result.deleted).toBe(true);
      });

      it('with finalizers marks the object deleting once; removing the last finalizer deletes it', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key, { finalizers: ['example.com/a', 'example.com/b'], generation: 3 }));
        const watch = await store.watch('core/pods', { namespace: key.namespace, resourceVersion: created.metadata.resourceVersion });
        try {
          const first = await store.delete(key);
          expect(first.deleted).toBe(false);
          const stamp = first.object.metadata.deletionTimestamp!;
          expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          expect(first.object.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, generation: 4, finalizers: ['example.com/a', 'example.com/b'] });
          expect(await store.get(key)).toEqual(first.object);
          expect(await nextEvent(watch)).toMatchObject({ type: 'MODIFIED', object: { metadata: { deletionTimestamp: stamp } } });

          await new Promise((resolve) => setTimeout(resolve, 1100));
          const again = await store.delete(key);
          expect(again).toEqual({ deleted: false, object: first.object });

          const fewer = await store.guaranteedUpdate<KObject>(key, (c) => ({ ...c, metadata: { ...c.metadata, finalizers: ['example.com/b'] } }));
          expect(fewer.metadata.deletionTimestamp).toBe(stamp);
          expect(await nextEvent(watch)).toMatchObject({ type: 'MODIFIED' });

          const { finalizers: _f, ...metadata } = fewer.metadata;
          const last = await store.update(key, { ...fewer, metadata });
          await expect(store.get(key)).rejects.toMatchObject({ code: 404 });
          const deleted = await nextEvent(watch);
          expect(deleted.type).toBe('DELETED');
          expect(deleted.object.metadata.resourceVersion).toBe(last.metadata.resourceVersion);
          expect(deleted.object.metadata.finalizers).toBeUndefined();
        } finally {
          watch.stop();
        }
      });

      it('an update keeps an object whose deletion still waits for a grace period', async () => {
        const key = podKey(ns(), 'a');
        const created = await store.create(key, pod(key));
        const terminating = { ...created, metadata: { ...created.metadata, deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } };
        const updated = await store.update(key, terminating);
        expect((await store.get(key)).metadata.deletionGracePeriodSeconds).toBe(30);
        await store.update(key, { ...updated, metadata: { ...updated.metadata, deletionGracePeriodSeconds: 0 } });
        await expect(store.get(key)).rejects.toMatchObject({ code: 404 });
      });
    });

    describe('list', () => {
      it('returns every object in namespace/name order with the resourceVersion it was read at', async () => {
        const res = resource();
        const names = [['b', 'x'], ['a', 'y'], ['a', 'x'], ['a-b', 'z'], ['', 'cluster']];
        let lastRv = 0;
        for (const [namespace, name] of names) {
          const key = { resource: res, namespace: namespace!, name: name! };
          lastRv = Number((await store.create(key, pod(key))).metadata.resourceVersion);
        }
        const list = await store.list(res);
        expect(list.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual(['/cluster', 'a-b/z', 'a/x', 'a/y', 'b/x']);
        expect(Number(list.resourceVersion)).toBeGreaterThanOrEqual(lastRv);
        for (const item of list.items) expect(Number(item.metadata.resourceVersion)).toBeLessThanOrEqual(Number(list.resourceVersion));
        expect(list.continue).toBeUndefined();
      });

      it('as JSON (getText, listJSON) gives the same objects, resourceVersion included, pages alike', async () => {
        const res = resource();
        const namespace = ns();
        for (const name of ['a', 'b', 'c']) {
          const key = { resource: res, namespace, name };
          await store.create(key, pod(key, { labels: { n: name } }));
        }
        const key = { resource: res, namespace, name: 'b' };
        expect(JSON.parse(await store.getText(key))).toEqual(await store.get(key));
        await expect(store.getText({ resource: res, namespace, name: 'absent' })).rejects.toMatchObject({ code: 404 });
        const list = await store.list(res, { namespace });
        const text = await store.listJSON(res, { namespace });
        expect(text.items.map((t) => JSON.parse(t.toString('utf8')))).toEqual(list.items);
        expect(text.resourceVersion).toBe(list.resourceVersion);
        const first = await store.listJSON(res, { namespace, limit: 2 });
        const second = await store.listJSON(res, { namespace, limit: 2, continue: first.continue });
        expect([...first.items, ...second.items].map((t) => JSON.parse(t.toString('utf8')).metadata.name)).toEqual(['a', 'b', 'c']);
      });

      it('is a consistent snapshot: its resourceVersion covers exactly the writes it shows', async () => {
        const res = resource();
        const writes = (async () => {
          for (let i = 0; i < 60; i++) {
            const key = { resource: res, namespace: 'n', name: `o${String(i).padStart(3, '0')}` };
            await store.create(key, pod(key));
          }
        })();
        const lists = [];
        while (lists.length < 200) {
          lists.push(await store.list(res));
          if (lists.at(-1)!.items.length === 60) break;
        }
        await writes;
        for (const list of lists) {
          const rvs = list.items.map((o) => Number(o.metadata.resourceVersion));
          // Objects are created in name order, so a snapshot holds a prefix of them, all at or below its rv.
          expect(list.items.map((o) => o.metadata.name)).toEqual(Array.from({ length: list.items.length }, (_, i) => `o${String(i).padStart(3, '0')}`));
          for (const rv of rvs) expect(rv).toBeLessThanOrEqual(Number(list.resourceVersion));
        }
      });

      it('of an empty resource is empty', async () => {
        const list = await store.list(resource());
        expect(list.items).toEqual([]);
        expect(list.resourceVersion).toMatch(/^\d+$/);
      });

      it('scopes to one namespace without matching namespaces that share its prefix', async () => {
        const res = resource();
        for (const namespace of ['a', 'a-b', 'ab', 'a0', 'b']) {
          for (const name of ['x', 'y']) {
            const key = { resource: res, namespace, name };
            await store.create(key, pod(key));
          }
        }
        const list = await store.list(res, { namespace: 'a' });
        expect(list.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/x', 'a/y']);
        expect((await store.list(res, { namespace: 'zz' })).items).toEqual([]);
        expect((await store.list(res)).items).toHaveLength(10);
      });

      it('filters with the predicate', async () => {
        const res = resource();
        for (let i = 0; i < 10; i++) {
          const key = { resource: res, namespace: 'n', name: `o${i}` };
          await store.create(key, pod(key, { labels: { parity: i % 2 ? 'odd' : 'even' } }));
        }
        const list = await store.list(res, { predicate: (o) => o.metadata.labels?.parity === 'odd' });
        expect(list.items.map((o) => o.metadata.name)).toEqual(['o1', 'o3', 'o5', 'o7', 'o9']);
      });

      describe('paging with limit and continue', () => {
        const cases: { title: string; namespace?: string; predicate?: (o: KObject) => boolean; limit: number; expected: (n: number, ns: string) => boolean }[] = [
          { title: 'all namespaces', limit: 7, expected: () => true },
          { title: 'one namespace', namespace: 'p1', limit: 4, expected: (_n, ns) => ns === 'p1' },
          { title: 'a predicate', limit: 3, predicate: (o) => o.metadata.labels?.keep === 'yes', expected: (n) => n % 3 === 0 },
          { title: 'a sparse predicate', limit: 2, predicate: (o) => o.metadata.labels?.rare === 'yes', expected: (n) => n === 5 || n === 31 },
          { title: 'a limit above the count', limit: 1000, expected: () => true },
        ];
        it.each(cases)('returns every item exactly once, in order ($title)', async ({ namespace, predicate, limit, expected }) => {
          const res = resource();
          const all: string[] = [];
          for (let i = 0; i < 36; i++) {
            const key = { resource: res, namespace: `p${i % 3}`, name: `o${String(i).padStart(2, '0')}` };
            await store.create(key, pod(key, { labels: { keep: i % 3 === 0 ? 'yes' : 'no', rare: i === 5 || i === 31 ? 'yes' : 'no' } }));
            if (expected(i, key.namespace)) all.push(`${key.namespace}/${key.name}`);
          }
          all.sort();
          const seen: string[] = [];
          let token: string | undefined;
          let firstRv: string | undefined;
          let pages = 0;
          do {
            const page = await store.list(res, { namespace, predicate, limit, continue: token });
            pages++;
            expect(page.items.length).toBeLessThanOrEqual(limit);
            firstRv ??= page.resourceVersion;
            expect(page.resourceVersion).toBe(firstRv);
            if (pages === 1 && page.continue && !predicate) expect(page.remainingItemCount).toBe(all.length - page.items.length);
            seen.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
            token = page.continue;
            // a write between pages must not break paging
            if (pages === 1) await store.create({ resource: res, namespace: 'zzz', name: 'late' }, pod({ resource: res, namespace: 'zzz', name: 'late' }));
          } while (token && pages < 100);
          expect(seen.filter((s) => !s.startsWith('zzz/'))).toEqual(all);
          expect(pages).toBeLessThanOrEqual(Math.ceil((all.length + 1) / limit) + 1);
        });

        it('answers 400 BadRequest for a malformed continue token', async () => {
          const res = resource();
          for (const token of ['%%%', Buffer.from('not json').toString('base64url'), Buffer.from('{"v":"meta.k8s.io/v1"}').toString('base64url')]) {
            await expect(store.list(res, { limit: 1, continue: token })).rejects.toMatchObject({ code: 400, reason: 'BadRequest' });
          }
        });
      });
    });

    describe('watch', () => {
      it('from a resourceVersion replays exactly the later changes, in order, then live ones', async () => {
        const namespace = ns();
        const [a, b, c] = ['a', 'b', 'c'].map((name) => podKey(namespace, name)) as [ObjectKey, ObjectKey, ObjectKey];
        const createdA = await store.create(a, pod(a));
        await store.create(b, pod(b));
        const from = await store.currentResourceVersion();
        const updatedA = await store.update(a, { ...createdA, spec: { v: 2 } });
        const deletedB = await store.delete(b);
        const createdC = await store.create(c, pod(c));
        const watch = await store.watch('core/pods', { namespace, resourceVersion: from });
        try {
          const events = await nextEvents(watch, 3);
          expect(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion])).toEqual([
            ['MODIFIED', 'a', updatedA.metadata.resourceVersion],
            ['DELETED', 'b', deletedB.object.metadata.resourceVersion],
            ['ADDED', 'c', createdC.metadata.resourceVersion],
          ]);
          const live = await store.update(c, { ...createdC, spec: { v: 2 } });
          expect(await nextEvent(watch)).toEqual({ type: 'MODIFIED', object: live });
          expect(await nextOrTimeout(watch, 200)).toBe('timeout');
        } finally {
          watch.stop();
        }
      });

      it.each([undefined, '', '0'])('with resourceVersion %j sends ADDED for existing objects, then changes', async (rv) => {
        const namespace = ns();
        const a = podKey(namespace, 'a');
        const b = podKey(namespace, 'b');
        const createdA = await store.create(a, pod(a));
        const createdB = await store.create(b, pod(b));
        const watch = await store.watch('core/pods', { namespace, resourceVersion: rv });
        try {
          const initial = await nextEvents(watch, 2);
          expect(initial).toEqual([{ type: 'ADDED', object: createdA }, { type: 'ADDED', object: createdB }]);
          const updated = await store.update(a, { ...createdA, spec: { v: 2 } });
          expect(await nextEvent(watch)).toEqual({ type: 'MODIFIED', object: updated });
        } finally {
          watch.stop();
        }
      });

      it('sees only its namespace', async () => {
        const [mine, other] = [ns(), ns()];
        const watch = await store.watch('core/pods', { namespace: mine });
        try {
          await store.create(podKey(other, 'x'), pod(podKey(other, 'x')));
          const created = await store.create(podKey(mine, 'y'), pod(podKey(mine, 'y')));
          expect(await nextEvent(watch)).toEqual({ type: 'ADDED', object: created });
        } finally {
          watch.stop();
        }
      });

      it('sees only its resource, and every namespace without a namespace option', async () => {
        const res = resource();
        const watch = await store.watch(res);
        try {
          await store.create(podKey(ns(), 'elsewhere'), pod(podKey(ns(), 'elsewhere')));
          const first = await store.create({ resource: res, namespace: 'n1', name: 'a' }, pod({ resource: res, namespace: 'n1', name: 'a' }));
          const second = await store.create({ resource: res, namespace: '', name: 'b' }, pod({ resource: res, namespace: '', name: 'b' }));
          expect(await nextEvents(watch, 2)).toEqual([{ type: 'ADDED', object: first }, { type: 'ADDED', object: second }]);
        } finally {
          watch.stop();
        }
      });

      it('turns changes into ADDED/DELETED as objects enter and leave the predicate', async () => {
        const namespace = ns();
        const key = podKey(namespace, 'a');
        const web = (o: KObject) => o.metadata.labels?.app === 'web';
        const outside = await store.create(podKey(namespace, 'other'), pod(podKey(namespace, 'other'), { labels: { app: 'db' } }));
        const inside = await store.create(podKey(namespace, 'in'), pod(podKey(namespace, 'in'), { labels: { app: 'web' } }));
        const watch = await store.watch('core/pods', { namespace, predicate: web });
        try {
          expect(await nextEvent(watch)).toEqual({ type: 'ADDED', object: inside });
          const created = await store.create(key, pod(key, { labels: { app: 'db' } }));
          const entered = await store.update(key, { ...created, metadata: { ...created.metadata, labels: { app: 'web' } } });
          const changed = await store.update(key, { ...entered, spec: { v: 2 } });
          const left = await store.update(key, { ...changed, metadata: { ...changed.metadata, labels: { app: 'db' } } });
          await store.update(key, { ...left, spec: { v: 3 } });
          await store.delete(key);
          await store.delete(podKey(namespace, 'other'));
          const gone = await store.delete(podKey(namespace, 'in'));
          const events = await nextEvents(watch, 4);
          expect(events[0]).toEqual({ type: 'ADDED', object: entered });
          expect(events[1]).toEqual({ type: 'MODIFIED', object: changed });
          // Leaving the selection: DELETED with the last matching state at the new resourceVersion.
          expect(events[2]).toEqual({ type: 'DELETED', object: { ...changed, metadata: { ...changed.metadata, resourceVersion: left.metadata.resourceVersion } } });
          expect(events[3]).toEqual({ type: 'DELETED', object: gone.object });
          expect(outside.metadata.labels).toEqual({ app: 'db' });
          expect(await nextOrTimeout(watch, 200)).toBe('timeout');
        } finally {
          watch.stop();
        }
      });

      it('applies the predicate transitions to replayed history too', async () => {
        const namespace = ns();
        const key = podKey(namespace, 'a');
        const created = await store.create(key, pod(key, { labels: { app: 'db' } }));
        const entered = await store.update(key, { ...created, metadata: { ...created.metadata, labels: { app: 'web' } } });
        const left = await store.update(key, { ...entered, metadata: { ...entered.metadata, labels: { app: 'db' } } });
        const watch = await store.watch('core/pods', { namespace, resourceVersion: created.metadata.resourceVersion, predicate: (o) => o.metadata.labels?.app === 'web' });
        try {
          const events = await nextEvents(watch, 2);
          expect(events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([
            ['ADDED', entered.metadata.resourceVersion],
            ['DELETED', left.metadata.resourceVersion],
          ]);
          expect(events[1]!.object.metadata.labels).toEqual({ app: 'web' });
        } finally {
          watch.stop();
        }
      });

      it('started while writes go on misses nothing and repeats nothing', async () => {
        const namespace = ns();
        const key = podKey(namespace, 'counter');
        const created = await store.create(key, { ...pod(key), spec: { n: 0 } });
        const total = 150;
        const watches: { watch: Watch; from: number | undefined }[] = [];
        let current = created;
        for (let n = 1; n <= total; n++) {
          const write = store.update(key, { ...current, spec: { n } });
          if (n % 25 === 0) {
            // From a resourceVersion some writes back, and from "now", while a write is in flight.
            watches.push({ watch: await store.watch('core/pods', { namespace, resourceVersion: String(Number(current.metadata.resourceVersion) - 3) }), from: n - 4 });
            watches.push({ watch: await store.watch('core/pods', { namespace }), from: undefined });
          }
          current = await write;
        }
        try {
          for (const { watch, from } of watches) {
            const seen: number[] = [];
            let last = -1;
            for (;;) {
              const event = await nextEvent(watch);
              const n = (event.object.spec as { n: number }).n;
              if (from === undefined && seen.length === 0) expect(event.type).toBe('ADDED');
              else expect(event.type).toBe('MODIFIED');
              expect(Number(event.object.metadata.resourceVersion)).toBeGreaterThan(last);
              last = Number(event.object.metadata.resourceVersion);
              seen.push(n);
              if (n === total) break;
            }
            const start = seen[0]!;
            if (from !== undefined) expect(start).toBe(from + 1);
            expect(seen).toEqual(Array.from({ length: total - start + 1 }, (_, i) => start + i));
          }
        } finally {
          for (const { watch } of watches) watch.stop();
        }
      });

      it('answers 410 Expired for a resourceVersion whose history was trimmed', async () => {
        const { store: small } = await open({ historyLimit: 10 });
        const key = podKey(ns(), 'busy');
        const created = await small.create(key, pod(key));
        let current = created;
        for (let i = 0; i < 40; i++) current = await small.update(key, { ...current, spec: { i } });
        const err = await rejection(small.watch('core/pods', { resourceVersion: created.metadata.resourceVersion }));
        expect(err).toMatchObject({ code: 410, reason: 'Expired' });
        expect(err.message).toMatch(new RegExp(`^too old resource version: ${created.metadata.resourceVersion} \\(\\d+\\)$`));
        // Recent history is still there.
        const recent = await small.watch('core/pods', { resourceVersion: String(Number(current.metadata.resourceVersion) - 5) });
        try {
          const events = await nextEvents(recent, 5);
          expect(events.at(-1)!.object).toEqual(current);
        } finally {
          recent.stop();
        }
      });

      it('answers 400 for a resourceVersion that is not a number', async () => {
        await expect(store.watch('core/pods', { resourceVersion: 'abc' })).rejects.toMatchObject({ code: 400 });
      });

      it('sends bookmarks carrying a resourceVersion up to which everything was delivered', async () => {
        const namespace = ns();
        const watch = await store.watch('core/pods', { namespace, bookmarkIntervalMs: 50 });
        try {
          const created = await store.create(podKey(namespace, 'a'), pod(podKey(namespace, 'a')));
          let event: WatchEvent;
          do event = await nextEvent(watch);
          while (event.type === 'BOOKMARK');
          expect(event).toEqual({ type: 'ADDED', object: created });
          let bookmark: WatchEvent;
          do bookmark = await nextEvent(watch);
          while (Number(bookmark.object.metadata.resourceVersion) < Number(created.metadata.resourceVersion));
          expect(bookmark.type).toBe('BOOKMARK');
          expect(Object.keys(bookmark.object.metadata)).toEqual(['resourceVersion']);
          // Resuming from the bookmark misses nothing.
          const later = await store.create(podKey(namespace, 'b'), pod(podKey(namespace, 'b')));
          const resumed = await store.watch('core/pods', { namespace, resourceVersion: bookmark.object.metadata.resourceVersion });
          try {
            expect(await nextEvent(resumed)).toEqual({ type: 'ADDED', object: later });
          } finally {
            resumed.stop();
          }
        } finally {
          watch.stop();
        }
      });

      it('sends no bookmarks unless asked', async () => {
        const watch = await store.watch('core/pods', { namespace: ns() });
        try {
          expect(await nextOrTimeout(watch, 300)).toBe('timeout');
        } finally {
          watch.stop();
        }
      });

      it('ends a watcher that does not keep up, without slowing writers or other watchers', async () => {
        const { store: small } = await open({ watchBufferSize: 20 });
        const namespace = ns();
        const slow = await small.watch('core/pods', { namespace });
        const fast = await small.watch('core/pods', { namespace });
        try {
          const received: WatchEvent[] = [];
          const reading = (async () => {
            while (received.length < 100) received.push((await nextEvent(fast))!);
          })();
          const started = Date.now();
          for (let i = 0; i < 100; i++) await small.create(podKey(namespace, `p${i}`), pod(podKey(namespace, `p${i}`)));
          expect(Date.now() - started).toBeLessThan(10_000);
          await reading;
          expect(received.map((e) => e.object.metadata.name)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
          // The slow one delivers at most an in-order prefix, then ends.
          const names: string[] = [];
          for (let event = await nextEvent(slow, true); event; event = await nextEvent(slow, true)) names.push(event.object.metadata.name!);
          expect(names.length).toBeLessThan(100);
          expect(names).toEqual(Array.from({ length: names.length }, (_, i) => `p${i}`));
        } finally {
          slow.stop();
          fast.stop();
        }
      });

      it('stop() ends the watch: pending and later next() resolve to undefined', async () => {
        const watch = await store.watch('core/pods', { namespace: ns() });
        const pending = watch.next();
        watch.stop();
        expect(await pending).toBeUndefined();
        expect(await watch.next()).toBeUndefined();
      });

      it('close() ends every watch', async () => {
        const { store: closing } = await open();
        const watch = await closing.watch('core/pods', { namespace: ns() });
        const pending = watch.next();
        await closing.close();
        expect(await pending).toBeUndefined();
      });
    });

    describe('resourceVersions', () => {
      it('increase across resources and namespaces, as decimal strings', async () => {
        const resources = ['core/pods', 'apps/deployments', resource()];
        let previous = Number(await store.currentResourceVersion());
        for (let i = 0; i < 12; i++) {
          const key = { resource: resources[i % 3]!, namespace: ns(), name: 'x' };
          const rv = (await store.create(key, pod(key))).metadata.resourceVersion!;
          expect(rv).toMatch(/^[1-9]\d*$/);
          expect(Number(rv)).toBeGreaterThan(previous);
          previous = Number(rv);
        }
        expect(Number(await store.currentResourceVersion())).toBeGreaterThanOrEqual(previous);
      });
    });

    describe('several store instances on the same state', () => {
      it('see each other’s objects and events', async (ctx) => {
        if (!main.another) return ctx.skip();
        const second = await main.another();
        const namespace = ns();
        const watchFirst = await store.watch('core/pods', { namespace });
        const watchSecond = await second.watch('core/pods', { namespace });
        try {
          const fromSecond = await second.create(podKey(namespace, 'a'), pod(podKey(namespace, 'a')));
          expect(await nextEvent(watchFirst)).toEqual({ type: 'ADDED', object: fromSecond });
          expect(await nextEvent(watchSecond)).toEqual({ type: 'ADDED', object: fromSecond });
          const fromFirst = await store.update(podKey(namespace, 'a'), { ...fromSecond, spec: { v: 2 } });
          expect(await nextEvent(watchSecond)).toEqual({ type: 'MODIFIED', object: fromFirst });
          expect(await second.get(podKey(namespace, 'a'))).toEqual(fromFirst);
          await expect(second.update(podKey(namespace, 'a'), fromSecond)).rejects.toMatchObject({ code: 409 });
        } finally {
          watchFirst.stop();
          watchSecond.stop();
        }
      });
    });
  });
}

function podKey(namespace: string, name: string): ObjectKey {
  return { resource: 'core/pods', namespace, name };
}

function pod(key: ObjectKey, meta: Partial<KObject['metadata']> = {}): KObject {
  const metadata: KObject['metadata'] = { name: key.name, uid: `uid-${key.name}`, ...meta };
  if (key.namespace) metadata.namespace = key.namespace;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

async function rejection(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    return err as StatusError;
  }
  throw new Error('expected a rejection');
}

async function nextOrTimeout(watch: Watch, ms: number): Promise<WatchEvent | undefined | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([watch.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next event; fails on timeout, and on the watch ending unless `mayEnd`. */
async function nextEvent(watch: Watch, mayEnd: true): Promise<WatchEvent | undefined>;
async function nextEvent(watch: Watch): Promise<WatchEvent>;
async function nextEvent(watch: Watch, mayEnd = false): Promise<WatchEvent | undefined> {
  const event = await nextOrTimeout(watch, EVENT_TIMEOUT_MS);
  if (event === 'timeout') throw new Error('no watch event within the timeout');
  if (event === undefined && !mayEnd) throw new Error('the watch ended unexpectedly');
  return event;
}

async function nextEvents(watch: Watch, n: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  while (events.length < n) events.push(await nextEvent(watch));
  return events;
}
