/** Who is asking and how a write should behave: the part of a request the resource service needs. */

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user: UserInfo;
  /** The manager recorded in managedFields (fieldManager query parameter, or the client's name). */
  fieldManager: string;
  /** dryRun=All: run every step but the write. */
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings for the client; the HTTP layer sends them as `Warning: 299 - "..."` headers. */
  warnings: string[];
  now: Date;
}

/** Users and groups with a fixed meaning, as upstream names them. */
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** Who an unauthenticated request is; only the public cluster-info ConfigMap answers it. */
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
