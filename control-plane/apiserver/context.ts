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
