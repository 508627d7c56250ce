/**
 * NodeCredentialRequest: how a joining node exchanges its bootstrap token for a credential of its
 * own (the wire format is in control-plane/api/node-credential-request.ts).
 *
 *   POST /apis/tugboat.dev/v1/nodecredentialrequests
 *   {"apiVersion": "tugboat.dev/v1", "kind": "NodeCredentialRequest", "spec": {"nodeName": "<name>"}}
 *
 * answers 201 with the request and its status:
 *
 *   "status": {"user": "system:node:<name>", "token": "<id>.<secret>"}
 *
 * The token (user system:node:<name>, group system:nodes, no expiry) is new for every request and
 * appears only in this answer; the server keeps its hash (tokens.ts). Like a Kubernetes TokenRequest
 * the object itself is not stored and cannot be read back. Bootstrap tokens may make this request
 * and nothing else; node credentials may not make it (authorizer.ts). Not idempotent: a node that
 * asks twice holds two valid credentials. Errors: 400 for a body that is not a
 * NodeCredentialRequest, 422 for a missing or invalid node name.
 */
import { dns1123Subdomain } from '../api/names.js';
import { NODE_CREDENTIAL_API_VERSION, NODE_CREDENTIAL_REQUESTS, type NodeCredentialRequest } from '../api/node-credential-request.js';
import { badRequest, invalid } from '../api/status.js';
import type { Store } from '../store/store.js';
import type { UserInfo } from './context.js';
import { rfc3339 } from './object-meta.js';
import { createToken, nodeTokenSpec } from './tokens.js';

const KIND = NODE_CREDENTIAL_REQUESTS.kind;

/** Issues the credential `body` asks for on behalf of `requester` (recorded in the token's description). */
export async function issueNodeCredential(store: Store, body: any, requester: UserInfo, now: Date): Promise<Required<NodeCredentialRequest>> {
  if (body?.apiVersion !== NODE_CREDENTIAL_API_VERSION || body?.kind !== KIND) {
    throw badRequest(`the body must be a ${KIND} of ${NODE_CREDENTIAL_API_VERSION}, got kind "${String(body?.kind ?? '')}" of "${String(body?.apiVersion ?? '')}"`);
  }
  const nodeName = body.spec?.nodeName;
  if (typeof nodeName !== 'string' || !nodeName) {
    throw invalid(KIND, NODE_CREDENTIAL_REQUESTS.group, '', [{ type: 'FieldValueRequired', field: 'spec.nodeName', message: 'Required value' }]);
  }
  const problems = dns1123Subdomain(nodeName);
  if (problems.length) {
    throw invalid(KIND, NODE_CREDENTIAL_REQUESTS.group, nodeName, [{ type: 'FieldValueInvalid', field: 'spec.nodeName', message: `Invalid value: ${JSON.stringify(nodeName)}: ${problems.join(', ')}` }]);
  }
  const spec = nodeTokenSpec(nodeName, `node agent ${nodeName}, joined with ${requester.name}`);
  const token = await createToken(store, spec, now);
  return {
    apiVersion: NODE_CREDENTIAL_API_VERSION,
    kind: KIND,
    metadata: { creationTimestamp: rfc3339(now) },
    spec: { nodeName },
    status: { user: spec.user, token },
  };
}
