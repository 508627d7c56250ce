/**
 * Kubernetes Status errors. Every refusal the API makes is a StatusError; the API server turns it
 * into a `kind: Status` body with the same code, reason, message and causes that upstream sends,
 * so kubectl prints "Error from server (Reason): message" exactly as it does against Kubernetes.
 */

/** One cause of an Invalid (422) or BadRequest answer; `field` is a path such as `spec.containers[0].image`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The `reason` values upstream uses (metav1.StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'Expired'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'InternalError';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Identifies a resource in messages: `pods "web"`, `deployments.apps "web"`. */
export interface ResourceRef {
  group: string;
  resource: string;
  name?: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function named(ref: ResourceRef): string {
  return ref.name !== undefined ? `${qualified(ref)} "${ref.name}"` : qualified(ref);
}

function detailsOf(ref: ResourceRef): StatusDetails {
  const details: StatusDetails = { kind: ref.resource };
  if (ref.name !== undefined) details.name = ref.name;
  if (ref.group) details.group = ref.group;
  return details;
}

export function notFound(ref: ResourceRef): StatusError {
  return new StatusError(404, 'NotFound', `${named(ref)} not found`, detailsOf(ref));
}

export function alreadyExists(ref: ResourceRef): StatusError {
  return new StatusError(409, 'AlreadyExists', `${named(ref)} already exists`, detailsOf(ref));
}

/** 409 for a stale resourceVersion or a failed precondition; `why` ends the message. */
export function conflict(ref: ResourceRef, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${named(ref)}: ${why}`, detailsOf(ref));
}

/** The usual optimistic-concurrency conflict message. */
export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

/** A validation failure (422) in upstream's shape: `Kind.group "name" is invalid: field: msg, field2: msg2`. */
export interface FieldError {
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid. */
  type: string;
  field: string;
  message: string;
}

export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const summary = errors.map((e) => `${e.field}: ${e.message}`);
  const message =
    summary.length === 1
      ? `${qualifiedKind} "${name}" is invalid: ${summary[0]}`
      : `${qualifiedKind} "${name}" is invalid: [${summary.join(', ')}]`;
  const details: StatusDetails = {
    name,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  };
  if (group) details.group = group;
  return new StatusError(422, 'Invalid', message, details);
}

export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}

export function forbidden(ref: ResourceRef, user: string, verb: string, why: string): StatusError {
  const scope = ref.name !== undefined ? ` "${ref.name}"` : '';
  return new StatusError(
    403,
    'Forbidden',
    `${qualified(ref)}${scope} is forbidden: User "${user}" cannot ${verb} resource "${ref.resource}" in API group "${ref.group}"${why ? `: ${why}` : ''}`,
    detailsOf(ref),
  );
}

/** A 403 whose message is given whole (namespace terminating, immutable objects). */
export function forbiddenMessage(ref: ResourceRef, message: string): StatusError {
  return new StatusError(403, 'Forbidden', message, detailsOf(ref));
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** 415 naming what was sent and what is accepted (object media types unless `accepted` says otherwise). */
export function unsupportedMediaType(contentType: string, accepted: string[] = OBJECT_MEDIA_TYPES): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${contentType || 'none'}) - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function requestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `the request body is too large: the limit is ${limitBytes} bytes`);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}
