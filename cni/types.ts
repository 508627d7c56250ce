/**
 * The data structures of the CNI specification (1.0.0, read back to 0.3.0): network configuration,
 * plugin results, error codes and the spec versions Tugboat speaks. Shared by the plugins in
 * plugins/ and by the invoker the agent uses.
 */

/** Spec versions Tugboat's plugins and invoker understand, oldest first. */
export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;
export const LATEST_VERSION = '1.0.0';

/** Well-known error codes of the spec (0-99), plus the plugin-specific ones Tugboat uses (100+). */
export const ErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IOFailure: 5,
  DecodingFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  /** IPAM: no free address left in a range set. */
  RangeExhausted: 100,
  /** CHECK found the container's networking not as ADD left it. */
  CheckFailed: 101,
  /** Anything else that went wrong (a failed command, an unexpected state). */
  Internal: 999,
} as const;

/** An IP configuration; `address` is CIDR ("10.1.0.5/24"). `version` exists only before 1.0.0. */
export interface IPConfig {
  address: string;
  gateway?: string;
  /** Index into the result's `interfaces`; absent in IPAM results. */
  interface?: number;
  version?: '4' | '6';
}

export interface Route {
  dst: string;
  gw?: string;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Interface {
  name: string;
  mac?: string;
  /** The netns path for interfaces inside a sandbox; absent for host interfaces. */
  sandbox?: string;
}

/** The result of ADD (IPAM plugins leave out `interfaces`). */
export interface Result {
  cniVersion: string;
  interfaces?: Interface[];
  ips?: IPConfig[];
  routes?: Route[];
  dns?: DNS;
}

/** What a plugin prints for VERSION. */
export interface VersionResult {
  cniVersion: string;
  supportedVersions: string[];
}

/** What a plugin prints (with a non-zero exit) when it fails. */
export interface ErrorResult {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

/** The IPAM section of a network configuration; the rest is IPAM-plugin specific. */
export interface IpamSection {
  type: string;
  [key: string]: unknown;
}

/** One plugin's network configuration as it travels on stdin. */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  args?: Record<string, unknown>;
  ipMasq?: boolean;
  ipam?: IpamSection;
  dns?: DNS;
  capabilities?: Record<string, boolean>;
  runtimeConfig?: Record<string, unknown>;
  prevResult?: Result;
  [key: string]: unknown;
}

/** A network configuration list (.conflist): plugins run in order, each given the previous result. */
export interface NetConfList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: NetConf[];
}

export type Command = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** The per-call parameters passed to a plugin in CNI_* environment variables. */
export interface CniArgs {
  command: Command;
  containerId: string;
  /** Absent on DEL when the namespace is gone. */
  netns?: string;
  ifName: string;
  /** CNI_ARGS as "K=V;K2=V2". */
  args?: string;
  /** CNI_PATH: directories searched for delegated plugins. */
  path: string[];
}

/** Spec rule for container ids and network names: alphanumeric start, then [A-Za-z0-9_.-]. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
