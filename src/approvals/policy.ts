import { parse } from "yaml";
import {
  ANALYSIS_KEYS,
  type AnalysisPolicy,
  type AutoRollbackPolicy,
  RELATIVE_THRESHOLDS,
  readAnalysis,
  readAutoRollback,
} from "./analysis-policy.ts";

/** Who may do what in one namespace. `undefined` people lists mean "anyone in the workspace". */
export interface NamespacePolicy {
  /** Who may see jobs, their status and history (list, status, history, Home); requesters and approvers too. */
  viewers?: People;
  requesters?: People;
  approvers?: People;
  /**
   * Other Slack workspaces (team ids `T…`) or organisations (enterprise ids `E…`) whose users are treated like
   * members. Users from any other workspace (Slack Connect channels) are refused whatever the lists say.
   */
  allowedTeams: string[];
  /** Approvals needed before a change is applied. */
  approvals: number;
  /** Whether the person who asked may approve their own request. */
  selfApproval: boolean;
  expiryMinutes: number;
  /** A channel that also receives this namespace's approval requests. */
  approversChannel?: string;
  /** Approvers who asked for a direct message with each approval request of the namespace (user ids). */
  approverDms?: string[];
  /**
   * Health limits for telemetry (success rate 0–1, p99 in ms, drift in percentage points), and for the new
   * version against the stable one (success rate drop in points, p99 as a multiple of stable's).
   */
  thresholds?: {
    minSuccessRate?: number;
    maxP99Ms?: number;
    maxDriftPoints?: number;
    maxSuccessDropPoints?: number;
    maxP99VsStable?: number;
  };
  /** How checks are judged: settling after a change, minimum requests, when a breach is posted again. */
  analysis?: AnalysisPolicy;
  /** Present when Graydesk moves traffic back to the stable version by itself after failed checks. */
  autoRollback?: AutoRollbackPolicy;
  /** Whether step schedules may apply a due step by themselves while health is within thresholds. */
  autoSteps: boolean;
  /**
   * Whether deploying a job's new version is a change to approve (default true): the job waits, with nothing
   * in the cluster, until an approver other than its creator approves the new Deployment as a plan.
   */
  approveNewVersions: boolean;
  /** A job with no change for this many days is listed as forgotten in digests. */
  forgottenAfterDays: number;
  /**
   * Registries (or `registry/path` prefixes) a new version's images may come from, besides the stable version's
   * own registries.
   */
  allowedRegistries?: string[];
}

export interface People {
  users: string[];
  groups: string[];
}

export interface Policy {
  /** True when the policy came from POLICY_FILE; false for the built-in open policy. */
  fromFile: boolean;
  defaults: NamespacePolicy;
  /** Read through policyFor only: a namespace is a name, never an object key (`constructor` gets the defaults). */
  namespaces: Record<string, NamespacePolicy>;
  /**
   * Per cluster of a desk with several: the cluster's defaults (over the file's defaults) and its namespaces
   * (over the cluster's defaults), e.g. two approvers everywhere in a production cluster. Read through policyFor.
   */
  clusters?: Record<string, ClusterPolicy>;
}

export interface ClusterPolicy {
  defaults: NamespacePolicy;
  namespaces: Record<string, NamespacePolicy>;
}

export const OPEN_DEFAULTS: NamespacePolicy = {
  allowedTeams: [],
  approvals: 1,
  selfApproval: false,
  expiryMinutes: 30,
  autoSteps: false,
  approveNewVersions: true,
  forgottenAfterDays: 7,
};

/** Without a policy file: anyone may request, anyone else may approve, one approval, 30 minutes. */
export function openPolicy(): Policy {
  return { fromFile: false, defaults: { ...OPEN_DEFAULTS }, namespaces: Object.create(null) };
}

/**
 * The namespace's own entry when the file has one, else the defaults; inherited object keys never count. With
 * a cluster the file names under `clusters`, that cluster's entries and defaults are read instead.
 */
export function policyFor(policy: Policy, namespace: string | undefined, cluster?: string): NamespacePolicy {
  const scope =
    cluster !== undefined && policy.clusters && Object.hasOwn(policy.clusters, cluster)
      ? (policy.clusters[cluster] as ClusterPolicy)
      : policy;
  if (namespace === undefined || !Object.hasOwn(scope.namespaces, namespace)) return scope.defaults;
  return scope.namespaces[namespace] ?? scope.defaults;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: string[] };

const KEYS = new Set([
  "viewers",
  "allowedTeams",
  "requesters",
  "approvers",
  "approvals",
  "selfApproval",
  "expiryMinutes",
  "approversChannel",
  "approverDms",
  "thresholds",
  "autoSteps",
  "approveNewVersions",
  "forgottenAfterDays",
  ...ANALYSIS_KEYS,
  "allowedRegistries",
]);

/**
 * Parses the policy YAML. Namespace entries inherit from `defaults`; every problem is reported with its path so
 * the operator can fix the file in one go.
 */
export function parsePolicy(text: string): PolicyResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [`the file is not valid YAML: ${(error as Error).message.split("\n")[0]}`],
    };
  }
  const problems: string[] = [];
  if (doc === null || doc === undefined) doc = {};
  if (!isObject(doc))
    return { ok: false, problems: ["the file must be a YAML mapping with defaults and namespaces"] };
  for (const key of Object.keys(doc)) {
    if (key !== "defaults" && key !== "namespaces" && key !== "clusters")
      problems.push(`${key}: unknown key (expected defaults, namespaces or clusters)`);
  }
  const defaults = readEntry(doc.defaults ?? {}, "defaults", OPEN_DEFAULTS, problems);
  const namespaces = readNamespaces(doc.namespaces, "namespaces", defaults, problems);
  const clusters: Record<string, ClusterPolicy> = Object.create(null);
  const rawClusters = doc.clusters ?? {};
  if (!isObject(rawClusters))
    problems.push("clusters: must be a mapping of cluster name to defaults and namespaces");
  else {
    for (const [name, raw] of Object.entries(rawClusters)) {
      const at = `clusters.${name}`;
      if (!CLUSTER_NAME.test(name)) {
        problems.push(`${at}: not a valid cluster name (lower-case letters, digits and -)`);
        continue;
      }
      if (!isObject(raw)) {
        problems.push(`${at}: must be a mapping with defaults and namespaces`);
        continue;
      }
      for (const key of Object.keys(raw)) {
        if (key !== "defaults" && key !== "namespaces")
          problems.push(`${at}.${key}: unknown key (expected defaults or namespaces)`);
      }
      const clusterDefaults = readEntry(raw.defaults ?? {}, `${at}.defaults`, defaults, problems);
      clusters[name] = {
        defaults: clusterDefaults,
        namespaces: readNamespaces(raw.namespaces, `${at}.namespaces`, clusterDefaults, problems),
      };
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const policy: Policy = { fromFile: true, defaults, namespaces };
  if (Object.keys(clusters).length > 0) policy.clusters = clusters;
  return { ok: true, policy };
}

/** A cluster's name as configuration and commands write it (`prod-eu`). */
export const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function readNamespaces(
  raw: unknown,
  at: string,
  defaults: NamespacePolicy,
  problems: string[],
): Record<string, NamespacePolicy> {
  const namespaces: Record<string, NamespacePolicy> = Object.create(null);
  if (raw === undefined) return namespaces;
  if (!isObject(raw)) {
    problems.push(`${at}: must be a mapping of namespace name to settings`);
    return namespaces;
  }
  for (const [name, entry] of Object.entries(raw)) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      problems.push(`${at}.${name}: not a valid namespace name`);
      continue;
    }
    namespaces[name] = readEntry(entry ?? {}, `${at}.${name}`, defaults, problems);
  }
  return namespaces;
}

function readEntry(raw: unknown, at: string, base: NamespacePolicy, problems: string[]): NamespacePolicy {
  if (!isObject(raw)) {
    problems.push(`${at}: must be a mapping`);
    return base;
  }
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) problems.push(`${at}.${key}: unknown setting`);
  const entry: NamespacePolicy = { ...base };
  const viewers = readPeople(raw.viewers, `${at}.viewers`, problems);
  if (viewers) entry.viewers = viewers;
  const requesters = readPeople(raw.requesters, `${at}.requesters`, problems);
  if (requesters) entry.requesters = requesters;
  const approvers = readPeople(raw.approvers, `${at}.approvers`, problems);
  if (approvers) entry.approvers = approvers;
  entry.approvals = readInt(raw.approvals, `${at}.approvals`, base.approvals, 1, 10, problems);
  entry.expiryMinutes = readInt(
    raw.expiryMinutes,
    `${at}.expiryMinutes`,
    base.expiryMinutes,
    1,
    7 * 24 * 60,
    problems,
  );
  entry.forgottenAfterDays = readInt(
    raw.forgottenAfterDays,
    `${at}.forgottenAfterDays`,
    base.forgottenAfterDays,
    1,
    365,
    problems,
  );
  entry.selfApproval = readBool(raw.selfApproval, `${at}.selfApproval`, base.selfApproval, problems);
  entry.autoSteps = readBool(raw.autoSteps, `${at}.autoSteps`, base.autoSteps, problems);
  entry.approveNewVersions = readBool(
    raw.approveNewVersions,
    `${at}.approveNewVersions`,
    base.approveNewVersions,
    problems,
  );
  if (raw.allowedTeams !== undefined) {
    const teams = raw.allowedTeams;
    if (Array.isArray(teams) && teams.every((t) => typeof t === "string" && /^[TE][A-Z0-9]{2,}$/.test(t)))
      entry.allowedTeams = teams as string[];
    else
      problems.push(`${at}.allowedTeams: must be a list of Slack team or enterprise ids such as T0123ABCD`);
  }
  if (raw.approversChannel !== undefined) {
    if (typeof raw.approversChannel === "string" && /^[CG][A-Z0-9]{2,}$/.test(raw.approversChannel)) {
      entry.approversChannel = raw.approversChannel;
    } else problems.push(`${at}.approversChannel: must be a Slack channel id such as C0123ABCD`);
  }
  if (raw.approverDms !== undefined) {
    const dms = raw.approverDms;
    if (Array.isArray(dms) && dms.every((u) => typeof u === "string" && /^[UW][A-Z0-9]{2,}$/.test(u)))
      entry.approverDms = dms as string[];
    else problems.push(`${at}.approverDms: must be a list of Slack user ids such as U0123ABCD`);
  }
  if (raw.allowedRegistries !== undefined) {
    const registries = readRegistries(raw.allowedRegistries, `${at}.allowedRegistries`, problems);
    if (registries) entry.allowedRegistries = registries;
  }
  if (raw.thresholds !== undefined)
    entry.thresholds = readThresholds(raw.thresholds, `${at}.thresholds`, problems);
  const analysis = readAnalysis(raw.analysis, `${at}.analysis`, problems);
  if (analysis) entry.analysis = analysis;
  const autoRollback = readAutoRollback(raw.autoRollback, `${at}.autoRollback`, problems);
  if (autoRollback) entry.autoRollback = autoRollback;
  else if (raw.autoRollback === false) delete entry.autoRollback;
  return entry;
}

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9._-]+)*\/?$/i;

function readRegistries(raw: unknown, at: string, problems: string[]): string[] | undefined {
  if (!Array.isArray(raw) || !raw.every((entry) => typeof entry === "string" && REGISTRY.test(entry))) {
    problems.push(`${at}: must be a list of registries such as registry.example.com or ghcr.io/team`);
    return undefined;
  }
  return raw as string[];
}

function readPeople(raw: unknown, at: string, problems: string[]): People | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push(`${at}: must have users and/or groups lists`);
    return undefined;
  }
  const list = (value: unknown, key: string, pattern: RegExp, example: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && pattern.test(v))) {
      problems.push(`${at}.${key}: must be a list of Slack ids such as ${example}`);
      return [];
    }
    return value as string[];
  };
  for (const key of Object.keys(raw))
    if (key !== "users" && key !== "groups") problems.push(`${at}.${key}: unknown key`);
  return {
    users: list(raw.users, "users", /^[UW][A-Z0-9]{2,}$/, "U0123ABCD"),
    groups: list(raw.groups, "groups", /^S[A-Z0-9]{2,}$/, "S0123ABCD"),
  };
}

function readInt(
  raw: unknown,
  at: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min || raw > max) {
    problems.push(`${at}: must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return raw;
}

function readBool(raw: unknown, at: string, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw !== "boolean") {
    problems.push(`${at}: must be true or false`);
    return fallback;
  }
  return raw;
}

function readThresholds(raw: unknown, at: string, problems: string[]): NamespacePolicy["thresholds"] {
  if (!isObject(raw)) {
    problems.push(`${at}: must be a mapping`);
    return undefined;
  }
  const out: NonNullable<NamespacePolicy["thresholds"]> = {};
  type Key = keyof NonNullable<NamespacePolicy["thresholds"]>;
  const num = (key: Key, min: number, max: number) => {
    const value = raw[key];
    if (value === undefined) return;
    if (typeof value !== "number" || value < min || value > max)
      problems.push(`${at}.${key}: must be a number from ${min} to ${max}`);
    else out[key] = value;
  };
  num("minSuccessRate", 0, 1);
  num("maxP99Ms", 1, 600_000);
  num("maxDriftPoints", 0, 100);
  for (const [key, [min, max]] of Object.entries(RELATIVE_THRESHOLDS)) num(key as Key, min, max);
  const known = ["minSuccessRate", "maxP99Ms", "maxDriftPoints", ...Object.keys(RELATIVE_THRESHOLDS)];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) problems.push(`${at}.${key}: unknown threshold`);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
