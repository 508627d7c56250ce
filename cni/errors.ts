/**
 * CniError: a failure in CNI terms (spec error code, short message, optional details), thrown by the
 * plugins' logic (and printed by skel.ts as the spec's error JSON) and by the invoker (where `plugin`
 * names the plugin type that failed).
 */
import { ErrorCode, LATEST_VERSION, type ErrorResult } from './types.js';

function describe(msg: string, details: string | undefined, plugin: string | undefined): string {
  const text = details ? `${msg} (${details})` : msg;
  return plugin ? `${plugin}: ${text}` : text;
}

export class CniError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly details?: string,
    /** The plugin type that reported the error (set by the invoker). */
    readonly plugin?: string,
  ) {
    super(describe(msg, details, plugin));
    this.name = 'CniError';
  }

  /** The spec's error JSON for this error. */
  toResult(cniVersion: string = LATEST_VERSION): ErrorResult {
    return { cniVersion, code: this.code, msg: this.msg, ...(this.details ? { details: this.details } : {}) };
  }

  /** The same error, attributed to `plugin`. */
  withPlugin(plugin: string): CniError {
    return new CniError(this.code, this.msg, this.details, plugin);
  }

  /** Any thrown value as a CniError (non-CNI errors become Internal). */
  static from(err: unknown): CniError {
    if (err instanceof CniError) return err;
    return new CniError(ErrorCode.Internal, err instanceof Error ? err.message : String(err));
  }
}

export const invalidConfig = (msg: string, details?: string) => new CniError(ErrorCode.InvalidConfig, msg, details);
