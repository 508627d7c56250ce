/**
 * NodeCredentialRequest (tugboat.dev/v1), the wire format with which a joining node exchanges its
 * bootstrap token for a credential of its own. The API server serves it
 * (control-plane/apiserver/node-credentials.ts, where the contract is described); the agent sends it.
 */

export const NODE_CREDENTIAL_REQUESTS = { group: 'tugboat.dev', version: 'v1', resource: 'nodecredentialrequests', kind: 'NodeCredentialRequest' } as const;
export const NODE_CREDENTIAL_API_VERSION = `${NODE_CREDENTIAL_REQUESTS.group}/${NODE_CREDENTIAL_REQUESTS.version}`;
/** Where requests are POSTed. */
export const NODE_CREDENTIAL_REQUESTS_PATH = `/apis/${NODE_CREDENTIAL_API_VERSION}/${NODE_CREDENTIAL_REQUESTS.resource}`;

export interface NodeCredentialRequest {
  apiVersion: string;
  kind: string;
  metadata?: { creationTimestamp?: string };
  spec: { nodeName: string };
  /** Set in the server's answer only: the new credential, shown this once. */
  status?: { user: string; token: string };
}

/** The request a node named `nodeName` sends. */
export function nodeCredentialRequest(nodeName: string): NodeCredentialRequest {
  return { apiVersion: NODE_CREDENTIAL_API_VERSION, kind: NODE_CREDENTIAL_REQUESTS.kind, spec: { nodeName } };
}
