import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pruneStore } from "../src/desk/index.ts";
import { GENESIS, recordHash } from "../src/store/audit-chain.ts";
import type { StoredRecord } from "../src/store/index.ts";
import { AUDIT_FILE } from "../src/store/index.ts";
import { makeLayout, writeMeta, writeRecord } from "../src/store/record-files.ts";
import { writePack } from "../src/store/record-packs.ts";
import { COLLECTIONS, type Collection, emptyData, SCHEMA_VERSION } from "../src/store/schema.ts";

/** The records of a real job, plan and request, as the release before the per-record store wrote them. */
const RELEASE = JSON.parse(
  readFileSync(new URL("../test/fixtures/store/release-state.json", import.meta.url), "utf8"),
) as Record<Collection, Record<string, StoredRecord>>;
const JOB = Object.values(RELEASE.jobs)[0] as StoredRecord;
const PLAN = Object.values(RELEASE.plans).find((p) => p.status === "applied") as StoredRecord;
const REQUEST = Object.values(RELEASE.approvals).find((a) => a.state === "applied") as StoredRecord;

export interface Seed {
  /** Live jobs, each with an applied plan and a decided request beside it. */
  active: number;
  /** Jobs taken offline (their plans and requests pruned long ago, as retention does after 7 days). */
  finished: number;
  /** Where the seeded jobs live: a namespace nothing else in a benchmark touches. */
  namespace?: string;
  /** Live jobs spread over this many namespaces (`<namespace>-0` …), one by default. */
  namespaces?: number;
  /** The live jobs' cards, posted in this channel (ts: seededCardTs(i)); none by default. */
  cardsIn?: string;
}

/** Where the card of the seeded live job `i` is, in `Seed.cardsIn`. */
export function seededCardTs(i: number): string {
  return `1700000000.${String(i).padStart(6, "0")}`;
}

/** The namespace of the seeded job `i`. */
export function seededNamespace(seed: Seed, i: number): string {
  const namespace = seed.namespace ?? "seeded";
  return seed.namespaces ? `${namespace}-${i % seed.namespaces}` : namespace;
}

/** The seeded records, one collection and id at a time (copies of the release's records, renamed). */
export function* seededRecords(seed: Seed): Generator<[Collection, StoredRecord]> {
  for (let i = 0; i < seed.active + seed.finished; i++) {
    const namespace = seededNamespace(seed, i);
    const live = i < seed.active;
    const id = `seeded-${i}`;
    const job = {
      ...structuredClone(JOB),
      id,
      name: `svc-${i}`,
      namespace,
      state: live ? "active" : "offline",
    };
    yield ["jobs", job];
    if (!live) continue;
    const plan = structuredClone(PLAN) as StoredRecord & { plan: Record<string, unknown> };
    plan.id = `${id}-plan`;
    plan.plan = { ...plan.plan, id: plan.id, jobId: id };
    yield ["plans", plan];
    yield [
      "approvals",
      {
        ...structuredClone(REQUEST),
        id: `${id}-request`,
        jobId: id,
        jobName: job.name,
        namespace,
        planId: plan.id,
      },
    ];
  }
}

/**
 * Writes a per-record layout holding `seed` into an empty DATA_DIR, as the desk leaves it over time: pruned, the
 * collections' packs as of the last start-up, and `loose` records written since in their own files.
 */
export function seedDataDir(dataDir: string, seed: Seed, loose = 500): number {
  makeLayout(dataDir);
  // As a desk keeps it: pruned (finished plans compacted, old ones gone) by the retention that runs every hour.
  const data = emptyData();
  for (const [collection, record] of seededRecords(seed)) data[collection][record.id] = record;
  pruneStore(data, new Date());
  if (seed.cardsIn) {
    const cards = Object.fromEntries(
      Array.from({ length: seed.active }, (_, i) => [`seeded-${i}`, seededCardTs(i)]),
    );
    data.channels[seed.cardsIn] = { id: seed.cardsIn, cards };
  }
  let records = 0;
  for (const collection of COLLECTIONS) {
    const pack: Record<string, StoredRecord> = {};
    for (const [id, record] of Object.entries(data[collection])) {
      if (records++ < loose) writeRecord(dataDir, { collection, id, record });
      else pack[id] = record;
    }
    if (Object.keys(pack).length > 0) writePack(dataDir, collection, pack);
  }
  writeMeta(dataDir, SCHEMA_VERSION);
  writeAuditTrail(dataDir, Object.values(data.approvals), seed);
  return records;
}

/** What each finished job left in the audit trail before it ended, weeks ago (its request long pruned). */
const FINISHED_TRAIL = ["requested", "approved", "applied", "offline"];

/**
 * The audit trail the seeded desk left: each finished job's history (FINISHED_TRAIL, 30 days ago), then each
 * applied request's outcome record, chained (else start-up adds them).
 */
function writeAuditTrail(dataDir: string, requests: StoredRecord[], seed: Seed) {
  const lines: string[] = [];
  let prev = GENESIS;
  const add = ({ at, ...event }: Record<string, unknown> & { at: string }) => {
    const unsigned = { at, seq: lines.length + 1, ...event, prev };
    prev = recordHash(unsigned);
    lines.push(JSON.stringify({ ...unsigned, hash: prev }));
  };
  const weeksAgo = new Date(Date.now() - 30 * 24 * 3600_000).toISOString();
  for (let i = seed.active; i < seed.active + seed.finished; i++)
    for (const kind of FINISHED_TRAIL)
      add({
        at: weeksAgo,
        kind,
        actor: kind === "approved" ? "U0BOB" : "U0ALICE",
        job: `svc-${i}`,
        namespace: seed.namespace ?? "seeded",
        detail: { requestId: `seeded-${i}-request` },
      });
  for (const request of requests) {
    if (request.state !== "applied" || !request.decidedBy) continue;
    add({
      at: String(request.decidedAt ?? request.requestedAt),
      kind: "applied",
      actor: request.decidedBy,
      job: request.jobName,
      namespace: request.namespace,
      detail: { requestId: request.id, requestedBy: request.requestedBy },
    });
  }
  writeFileSync(path.join(dataDir, AUDIT_FILE), lines.length > 0 ? `${lines.join("\n")}\n` : "");
}
