/**
 * Splits a Kubernetes API path into its parts, the way upstream's RequestInfoFactory does:
 *   /api/v1/namespaces/ns/pods/name/status, /apis/apps/v1/deployments, /api/v1/watch/..., /api/v1/namespaces/ns/status.
 * Pure; returns undefined for paths that are not resource paths (discovery documents and others).
 */
export interface ResourcePath {
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** The legacy `/watch/` path prefix was used. */
  watchPrefix: boolean;
}

/** Subresources of a namespace itself: /api/v1/namespaces/<name>/<sub>. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseResourcePath(path: string): ResourcePath | undefined {
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length < 3) return undefined;
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 4) return undefined;
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    } else {
      // /namespaces/<name>[/status|/finalize]: the namespace object itself.
      return { group, version, namespace: '', resource: 'namespaces', name: rest[1]!, subresource: rest[2] ?? '', watchPrefix };
    }
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  return { group, version, namespace, resource: rest[0]!, name: rest[1] ?? '', subresource: rest[2] ?? '', watchPrefix };
}
