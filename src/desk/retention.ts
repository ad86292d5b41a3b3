import type { ApprovalRequest } from "../approvals/index.ts";
import type { JournalEntry } from "../cluster/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import { TERMINAL_STATES } from "../release/index.ts";
import { isUnread, type StoreData, type StoredRecord } from "../store/index.ts";
import type { PlanRecord } from "./records.ts";

/**
 * How long history is kept in the store. Every store write rewrites the whole document, so whatever piles up
 * (plans with their objects' bodies, journals, decided requests) slows every later write, the approval's
 * included; the audit log keeps the full history.
 */
export interface Retention {
  /** Finished plans, failed journals and decided requests are deleted after this (default 7 days). */
  keepMs: number;
  /** A finished plan drops its objects' before/after bodies this long after it was made (default 10 min). */
  compactAfterMs: number;
  /** Events kept per job: the first (its creation) and the latest (default 100). */
  historyCap: number;
}

export const DEFAULT_RETENTION: Retention = {
  keepMs: 7 * 24 * 3600_000,
  compactAfterMs: 10 * 60_000,
  historyCap: 100,
};

export interface Pruned {
  plansCompacted: number;
  plansDeleted: number;
  journalsDeleted: number;
  approvalsDeleted: number;
  historyTrimmed: number;
}

const FINISHED_PLAN = new Set(["applied", "stale", "superseded", "failed"]);
const DECIDED = new Set(["applied", "failed", "rejected", "expired", "stale"]);

/**
 * Prunes a store draft in place (call it inside one `update`); pure apart from that. `read` is the same state to
 * look through (`store.data()` inside the update): scanning it copies nothing, so only what is pruned goes
 * through the draft.
 */
export function pruneStore(
  draft: StoreData,
  now: Date,
  retention: Retention = DEFAULT_RETENTION,
  read: Readonly<StoreData> = draft,
): Pruned {
  const pruned: Pruned = {
    plansCompacted: 0,
    plansDeleted: 0,
    journalsDeleted: 0,
    approvalsDeleted: 0,
    historyTrimmed: 0,
  };
  const at = now.getTime();
  const older = (iso: string | undefined, ms: number) => iso !== undefined && at - Date.parse(iso) >= ms;
  const jobs = read.jobs as unknown as Record<string, ReleaseJob | undefined>;
  const running = new Set(
    Object.values(read.journal as unknown as Record<string, JournalEntry>)
      .filter((entry) => entry.state === "running")
      .map((entry) => entry.planId),
  );

  for (const [id, stored] of Object.entries(read.plans)) {
    const record = stored as unknown as PlanRecord;
    if (!FINISHED_PLAN.has(record.status) || running.has(id)) continue;
    const job = jobs[record.plan.jobId];
    // A live job's failed plan is what Retry applies again: it stays whole while the job lives.
    const retryable = record.status === "failed" && job !== undefined && !TERMINAL_STATES.includes(job.state);
    if (retryable) continue;
    if (older(record.createdAt, retention.keepMs)) {
      delete draft.plans[id];
      pruned.plansDeleted++;
    } else if (older(record.createdAt, retention.compactAfterMs) && !isCompact(record)) {
      const changed = draft.plans[id] as unknown as PlanRecord;
      changed.plan.steps = record.plan.steps.map(({ action, object }) => ({ action, object }));
      delete changed.originals;
      pruned.plansCompacted++;
    }
  }

  for (const [id, stored] of Object.entries(read.journal)) {
    const entry = stored as unknown as JournalEntry;
    // A finished apply needs no journal; a failed one is kept a while for whoever looks into it.
    if (entry.state === "done" || (entry.state === "failed" && older(entry.startedAt, retention.keepMs))) {
      delete draft.journal[id];
      pruned.journalsDeleted++;
    }
  }

  for (const [id, stored] of Object.entries(read.approvals)) {
    const request = stored as unknown as ApprovalRequest;
    if (DECIDED.has(request.state) && older(request.decidedAt ?? request.requestedAt, retention.keepMs)) {
      delete draft.approvals[id];
      pruned.approvalsDeleted++;
    }
  }

  for (const [id, stored] of Object.entries(read.jobs)) {
    // A finished job in the store's archive is parsed only when someone reads it: its history was trimmed while
    // it ran (this runs hourly), and nothing is added to it since.
    if (isUnread(stored)) continue;
    const job = stored as unknown as ReleaseJob;
    if (job.history.length <= retention.historyCap) continue;
    const [first, ...rest] = job.history;
    const kept = rest.slice(rest.length - (retention.historyCap - 1));
    pruned.historyTrimmed += job.history.length - kept.length - 1;
    (draft.jobs[id] as StoredRecord).history = first ? [first, ...kept] : kept;
  }
  return pruned;
}

function isCompact(record: PlanRecord): boolean {
  return record.plan.steps.every(
    (step) => step.before === undefined && step.after === undefined && !step.patch,
  );
}
