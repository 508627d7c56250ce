import type { Container } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { EventRecorder } from '../../control-plane/client/event-recorder.js';
import { RuntimeError, type ContainerRuntime, type ImageInfo } from '../runtime/runtime.js';
import { Backoff } from './backoff.js';
import { PodEvents } from './events.js';
import { ImageError, ImageManager, withDefaultTag } from './images.js';
import { pod } from './testing/fixtures.js';

function setup(local: string[], pullable: string[] = []) {
  const events: string[] = [];
  const pulls: string[] = [];
  const recorder = { event: (_o: unknown, type: string, reason: string, message: string, fieldPath?: string) => events.push(`${type} ${reason} ${fieldPath}: ${message}`) } as unknown as EventRecorder;
  const runtime = {
    imageStatus: async (image: string): Promise<ImageInfo | undefined> => (local.includes(image) ? { id: 'sha256:1', tags: [image], sizeBytes: 10 } : undefined),
    pullImage: async (image: string): Promise<ImageInfo> => {
      pulls.push(image);
      if (!pullable.includes(image)) throw new RuntimeError('ImagePullFailed', 'connection refused');
      local.push(image);
      return { id: 'sha256:2', tags: [image], sizeBytes: 1234 };
    },
  } as unknown as ContainerRuntime;
  const backoff = new Backoff({ initialMs: 60_000, maxMs: 300_000 });
  return { events, pulls, images: new ImageManager(runtime, new PodEvents(recorder), backoff) };
}

const c = (image: string, imagePullPolicy?: string): Container => ({ name: 'app', image, imagePullPolicy });
const reason = (p: Promise<unknown>) => p.then(() => 'ok', (e: ImageError) => e.reason);

describe('images', () => {
  it.each([
    ['busybox', 'busybox:latest'],
    ['busybox:1.36', 'busybox:1.36'],
    ['registry:5000/app', 'registry:5000/app:latest'],
    ['registry:5000/app:v2', 'registry:5000/app:v2'],
    ['app@sha256:abc', 'app@sha256:abc'],
  ])('%s is %s', (image, full) => expect(withDefaultTag(image)).toBe(full));

  it('uses a local image with IfNotPresent and Never, without pulling', async () => {
    const s = setup(['app:1']);
    await s.images.ensure(pod(), c('app:1', 'IfNotPresent'));
    await s.images.ensure(pod(), c('app:1', 'Never'));
    expect(s.pulls).toEqual([]);
    expect(s.events).toEqual(Array(2).fill('Normal Pulled spec.containers{app}: Container image "app:1" already present on machine'));
  });

  it('refuses a missing image with Never', async () => {
    const s = setup([]);
    await expect(reason(s.images.ensure(pod(), c('app:1', 'Never')))).resolves.toBe('ErrImageNeverPull');
    expect(s.events).toEqual(['Warning ErrImageNeverPull spec.containers{app}: Container image "app:1" is not present with pull policy of Never']);
  });

  it('pulls with Always (and for :latest by default) and says how long it took', async () => {
    const s = setup(['app:1'], ['app:1', 'app:latest']);
    await s.images.ensure(pod(), c('app:1', 'Always'));
    await s.images.ensure(pod(), c('app'));
    expect(s.pulls).toEqual(['app:1', 'app:latest']);
    expect(s.events[0]).toBe('Normal Pulling spec.containers{app}: Pulling image "app:1"');
    expect(s.events[1]).toMatch(/^Normal Pulled spec\.containers\{app\}: Successfully pulled image "app:1" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 1234 bytes\.$/);
  });

  it('fails a pull with ErrImagePull, then backs off with ImagePullBackOff', async () => {
    const s = setup([]);
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: ImageError) => e);
    expect(await failure(s.images.ensure(pod(), c('app:1')))).toMatchObject({ reason: 'ErrImagePull', message: 'connection refused', retryAfterMs: 60_000 });
    const backingOff = await failure(s.images.ensure(pod(), c('app:1')));
    expect(backingOff).toMatchObject({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "app:1"' });
    expect(backingOff!.retryAfterMs).toBeGreaterThan(59_000);
    expect(s.pulls).toEqual(['app:1']);
    // Another pod, or the same pod once forgotten, pulls again.
    s.images.forget('uid-1');
    await expect(reason(s.images.ensure(pod(), c('app:1')))).resolves.toBe('ErrImagePull');
    expect(s.events.slice(0, 3)).toEqual([
      'Normal Pulling spec.containers{app}: Pulling image "app:1"',
      'Warning Failed spec.containers{app}: Failed to pull image "app:1": connection refused',
      'Normal BackOff spec.containers{app}: Back-off pulling image "app:1"',
    ]);
  });
});
