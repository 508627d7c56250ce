/**
 * Makes a container's image present as upstream's image manager (EnsureImageExists) does, with
 * its events: pull policy Never uses only local images (ErrImageNeverPull), IfNotPresent pulls
 * when missing, Always pulls every time; a failed pull is ErrImagePull and starts a back-off per
 * (pod, image) during which attempts answer ImagePullBackOff without pulling.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { RuntimeError, type ContainerRuntime } from '../runtime/runtime.js';
import { inBackOffSinceUpdate, type Backoff } from './backoff.js';
import type { PodEvents } from './events.js';

export type ImageErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';

/**
 * The image is not there; `reason` is the container's waiting reason, `message` its message,
 * `retryAfterMs` how long the pull back-off lasts (pull failures).
 */
export class ImageError extends Error {
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** `name` → `name:latest` when it has neither tag nor digest. */
export function withDefaultTag(image: string): string {
  if (image.includes('@')) return image;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') ? image : `${image}:latest`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;

export class ImageManager {
  /** Forgets the pull back-offs of a pod that went away. */
  forget(podUid: string): void {
    this.backoff.forgetPrefix(`${podUid}/`);
  }

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly events: PodEvents,
    private readonly backoff: Backoff,
  ) {}

  /** Resolves once the image is present; rejects with ImageError (or RuntimeError when the engine fails otherwise). */
  async ensure(pod: Pod, container: Container): Promise<void> {
    const raw = container.image ?? '';
    if (!raw.trim()) {
      this.events.container(pod, container.name, 'Warning', 'InspectFailed', `Failed to apply default image tag "${raw}": couldn't parse image name "${raw}": invalid reference format`);
      throw new ImageError('InvalidImageName', `Failed to apply default image tag "${raw}": invalid reference format`);
    }
    const image = withDefaultTag(raw);
    const policy = container.imagePullPolicy ?? (image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
    const present = (await this.runtime.imageStatus(image)) !== undefined;
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.events.container(pod, container.name, 'Normal', 'Pulled', `Container image "${raw}" already present on machine`);
        return;
      }
      const message = `Container image "${raw}" is not present with pull policy of Never`;
      this.events.container(pod, container.name, 'Warning', 'ErrImageNeverPull', message);
      throw new ImageError('ErrImageNeverPull', message);
    }
    const key = `${pod.metadata?.uid}/${image}`;
    const entry = this.backoff.get(key);
    if (inBackOffSinceUpdate(entry, Date.now(), this.backoff.config)) {
      const message = `Back-off pulling image "${raw}"`;
      this.events.container(pod, container.name, 'Normal', 'BackOff', message);
      throw new ImageError('ImagePullBackOff', message, entry!.lastUpdate + entry!.delayMs - Date.now());
    }
    this.events.container(pod, container.name, 'Normal', 'Pulling', `Pulling image "${raw}"`);
    const started = Date.now();
    try {
      const info = await this.runtime.pullImage(image);
      const took = seconds(Date.now() - started);
      this.events.container(pod, container.name, 'Normal', 'Pulled', `Successfully pulled image "${raw}" in ${took} (${took} including waiting). Image size: ${info.sizeBytes} bytes.`);
    } catch (err) {
      if (!(err instanceof RuntimeError) || (err.code !== 'ImagePullFailed' && err.code !== 'ImageNotFound')) throw err;
      this.events.container(pod, container.name, 'Warning', 'Failed', `Failed to pull image "${raw}": ${err.message}`);
      const next = this.backoff.next(key, Date.now());
      throw new ImageError('ErrImagePull', err.message, next.delayMs);
    }
  }
}
