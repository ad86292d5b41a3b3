/**
 * The shape of Graydesk's state file. `schemaVersion` lets a newer Graydesk read an older file: each migration
 * takes the document one version forward, and start-up runs them in order before anything else reads it.
 */
export const SCHEMA_VERSION = 1;

/** A stored record: every collection keys its records by `id`. The owning module gives them a precise type. */
export interface StoredRecord {
  id: string;
  [field: string]: unknown;
}

export interface StoreData {
  schemaVersion: number;
  /** Release jobs, by job id. */
  jobs: Record<string, StoredRecord>;
  /** Approval requests, by request id; decided by compare-and-set inside one store update. */
  approvals: Record<string, StoredRecord>;
  /** Digest schedules, by channel id. */
  schedules: Record<string, StoredRecord>;
  /** Per-channel settings such as the default namespace. */
  channels: Record<string, StoredRecord>;
  /** Plans computed for a change, kept until approved and applied (or superseded). */
  plans: Record<string, StoredRecord>;
  /** Plans being applied: each step is journaled so start-up can complete or revert an interrupted apply. */
  journal: Record<string, StoredRecord>;
  /** Canary step schedules (10 → 25 → 50 → 100 every 30 minutes), by job id. */
  steps: Record<string, StoredRecord>;
  /** Slack messages Slack could not take yet (down, rate limited), sent again in order once it can. */
  outbox: Record<string, StoredRecord>;
  /** Releases run by Flagger or Argo Rollouts and gated through Graydesk, by `controller/namespace/name`. */
  gated: Record<string, StoredRecord>;
  /** The health breaches last posted per live job, so a restart or a new leader does not post them again. */
  breaches: Record<string, StoredRecord>;
}

export function emptyData(): StoreData {
  return {
    schemaVersion: SCHEMA_VERSION,
    jobs: {},
    approvals: {},
    schedules: {},
    channels: {},
    plans: {},
    journal: {},
    steps: {},
    outbox: {},
    gated: {},
    breaches: {},
  };
}

/** The collections of the state, each a record of records by id. */
export type Collection = Exclude<keyof StoreData, "schemaVersion">;
export const COLLECTIONS = Object.keys(emptyData()).filter((k) => k !== "schemaVersion") as Collection[];

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** migrations[n] takes a version-n document to version n+1. */
export const migrations: Record<number, Migration> = {
  // Version 0 is a file written before the schema had a version: add the collections it lacked.
  0: (doc) => ({ ...emptyData(), ...doc, schemaVersion: 1 }),
};

export class SchemaError extends Error {
  readonly code = "store-schema";
}

/** Brings a parsed document up to SCHEMA_VERSION, or explains why it cannot. */
export function migrate(doc: unknown, registry: Record<number, Migration> = migrations): StoreData {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new SchemaError("the file does not hold a JSON object");
  }
  let current = doc as Record<string, unknown>;
  let version = typeof current.schemaVersion === "number" ? current.schemaVersion : 0;
  if (version > SCHEMA_VERSION) {
    throw new SchemaError(
      `the file has schema version ${version}, newer than this Graydesk understands (${SCHEMA_VERSION}); upgrade Graydesk`,
    );
  }
  while (version < SCHEMA_VERSION) {
    const step = registry[version];
    if (!step) throw new SchemaError(`no migration from schema version ${version}`);
    current = step(current);
    version = current.schemaVersion as number;
  }
  return { ...emptyData(), ...current } as StoreData;
}
