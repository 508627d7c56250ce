/** The version the API reports: the Kubernetes API level Tugboat serves, and Tugboat's own version. */
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** Kubernetes minor version whose API and kubectl behaviour Tugboat follows. */
export const KUBERNETES_MINOR = '33';

export const VERSION = {
  major: '1',
  minor: KUBERNETES_MINOR,
  gitVersion: `v1.${KUBERNETES_MINOR}.0-tugboat.${pkg.version}`,
};

export const TUGBOAT_VERSION = pkg.version;
