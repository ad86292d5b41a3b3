import { randomUUID } from "node:crypto";
import type { Store, StoreData, StoredRecord } from "../store/index.ts";

export type ApprovalState = "pending" | "approved" | "applied" | "failed" | "rejected" | "expired" | "stale";

export interface ApprovalRequest {
  id: string;
  jobId: string;
  jobName: string;
  namespace: string;
  /** What will happen, in the user's words: "shift", "take over v2", "roll back", "take offline keeping v2". */
  operation: string;
  planId: string;
  planHash: string;
  summary: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  requiredApprovals: number;
  approvals: { user: string; at: string }[];
  state: ApprovalState;
  decidedBy?: string;
  decidedAt?: string;
  /** What applying it did, or why it failed / was refused. */
  outcome?: string;
  /** Where the request was posted, so its message can be updated with the outcome. */
  messages: { channel: string; ts: string }[];
}

export type Decision =
  /** This click completed the approvals: the caller applies the plan, and only this caller. */
  | { kind: "apply"; request: ApprovalRequest }
  /** Recorded, but more approvals are needed. */
  | { kind: "recorded"; request: ApprovalRequest; remaining: number }
  | { kind: "rejected"; request: ApprovalRequest }
  /** Someone (or this same click, retried) decided it already: nothing more happens. */
  | { kind: "already"; request: ApprovalRequest }
  | { kind: "expired"; request: ApprovalRequest }
  | { kind: "not-found" };

export interface NewRequest {
  jobId: string;
  jobName: string;
  namespace: string;
  operation: string;
  planId: string;
  planHash: string;
  summary: string;
  requestedBy: string;
  requiredApprovals: number;
  expiryMinutes: number;
}

/**
 * The approval gate. Every decision is one compare-and-set in the store keyed by the request id, so double
 * clicks, Slack retries and two approvers at once find the request already decided: a plan is handed out for
 * applying exactly once.
 */
export class ApprovalGate {
  readonly #store: Store;
  readonly #now: () => Date;

  constructor(store: Store, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#now = now;
  }

  get(id: string): ApprovalRequest | undefined {
    return this.#store.data().approvals[id] as ApprovalRequest | undefined;
  }

  /** The job's pending requests, oldest first: through the index of pending requests by job, not a scan. */
  pendingFor(jobId: string): ApprovalRequest[] {
    const approvals = this.#store.data().approvals;
    const ids = pendingIndex(approvals).get(jobId);
    const pending: ApprovalRequest[] = [];
    for (const id of ids ?? []) {
      const request = approvals[id] as unknown as ApprovalRequest | undefined;
      if (request?.state === "pending" && request.jobId === jobId) pending.push(request);
      else ids?.delete(id);
    }
    return pending;
  }

  all(): ApprovalRequest[] {
    return Object.values(this.#store.data().approvals) as unknown as ApprovalRequest[];
  }

  /** A new request's id, known before it is opened so its audit record can be written first (write-ahead). */
  newId(): string {
    return randomUUID();
  }

  async open(input: NewRequest, id: string = this.newId()): Promise<ApprovalRequest> {
    const now = this.#now();
    const request: ApprovalRequest = {
      id,
      jobId: input.jobId,
      jobName: input.jobName,
      namespace: input.namespace,
      operation: input.operation,
      planId: input.planId,
      planHash: input.planHash,
      summary: input.summary,
      requestedBy: input.requestedBy,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.expiryMinutes * 60_000).toISOString(),
      requiredApprovals: input.requiredApprovals,
      approvals: [],
      state: "pending",
      messages: [],
    };
    await this.#store.update((d) => {
      // A new request for a job supersedes its older pending ones: only the latest plan may be approved. Found in
      // the stored state as it stands inside this update (the index, not a read of every request through the
      // draft), changed through the draft.
      for (const other of this.pendingFor(input.jobId)) {
        const record = d.approvals[other.id];
        if (record)
          Object.assign(record, {
            state: "stale",
            outcome: "superseded by a newer request",
            decidedAt: request.requestedAt,
          });
      }
      d.approvals[request.id] = request as unknown as StoredRecord;
    });
    indexPending(this.#store.data().approvals, request);
    return request;
  }

  /** Records an approval or a rejection (with its reason). Permission must have been checked by the caller. */
  decide(id: string, user: string, choice: "approve" | "reject", reason?: string): Promise<Decision> {
    const now = this.#now();
    return this.#store.update((d) => decideIn(d, { id, user, choice, now, ...(reason ? { reason } : {}) }));
  }

  /** The gate's clock: what `decideIn` is given by a caller committing a decision in its own update. */
  now(): Date {
    return this.#now();
  }
  /** Closes an approved request with what applying it did. */
  finish(
    id: string,
    state: "applied" | "failed" | "stale",
    outcome: string,
  ): Promise<ApprovalRequest | undefined> {
    return this.#store.update((d) => {
      const request = d.approvals[id] as unknown as ApprovalRequest | undefined;
      if (!request) return undefined;
      Object.assign(request, { state, outcome });
      return { ...request };
    });
  }

  addMessage(id: string, message: { channel: string; ts: string }): Promise<void> {
    return this.#store.update((d) => {
      const request = d.approvals[id] as unknown as ApprovalRequest | undefined;
      if (request) request.messages = [...request.messages, message];
    });
  }

  /** Marks every pending request past its expiry as expired; returns them so their messages can be updated. */
  expireDue(): Promise<ApprovalRequest[]> {
    const now = this.#now();
    return this.#store.update((d) => {
      const expired: ApprovalRequest[] = [];
      for (const record of Object.values(d.approvals)) {
        const request = record as unknown as ApprovalRequest;
        if (request.state === "pending" && now.getTime() >= Date.parse(request.expiresAt)) {
          Object.assign(request, {
            state: "expired",
            decidedAt: now.toISOString(),
            outcome: "expired before approval",
          });
          expired.push({ ...request });
        }
      }
      return expired;
    });
  }
}

/**
 * The decision's compare-and-set inside a store update: the gate's own (decide), or the one that also starts the
 * approved plan, so the decision and the plan's move to applying are committed in one write.
 */
export function decideIn(
  d: StoreData,
  o: { id: string; user: string; choice: "approve" | "reject"; now: Date; reason?: string },
): Decision {
  const { id, user, choice, now, reason } = o;
  const record = d.approvals[id];
  if (!record) return { kind: "not-found" };
  const request = record as unknown as ApprovalRequest;
  if (request.state !== "pending") return { kind: "already", request: { ...request } };
  if (now.getTime() >= Date.parse(request.expiresAt)) {
    Object.assign(request, {
      state: "expired",
      decidedAt: now.toISOString(),
      outcome: "expired before approval",
    });
    return { kind: "expired", request: { ...request } };
  }
  if (choice === "reject") {
    Object.assign(request, {
      state: "rejected",
      decidedBy: user,
      decidedAt: now.toISOString(),
      ...(reason ? { outcome: reason } : {}),
    });
    return { kind: "rejected", request: { ...request } };
  }
  if (request.approvals.some((a) => a.user === user)) return { kind: "already", request: { ...request } };
  request.approvals = [...request.approvals, { user, at: now.toISOString() }];
  const remaining = request.requiredApprovals - request.approvals.length;
  if (remaining > 0) return { kind: "recorded", request: { ...request }, remaining };
  Object.assign(request, { state: "approved", decidedBy: user, decidedAt: now.toISOString() });
  return { kind: "apply", request: { ...request } };
}

/**
 * Pending requests' ids by job, per approvals collection. Requests are only ever opened pending by `open`, which
 * adds them; one that left pending is dropped when next read. A store that replaces the collection object when
 * it changes (STORE=kubernetes, whose cache follows other replicas' writes) gets the index built again from a
 * scan; the file store changes its collection in place, so the index built at the first read stays.
 */
const PENDING = new WeakMap<object, Map<string, Set<string>>>();

function pendingIndex(approvals: Readonly<Record<string, StoredRecord>>): Map<string, Set<string>> {
  let index = PENDING.get(approvals);
  if (!index) {
    index = new Map();
    for (const record of Object.values(approvals)) {
      const request = record as unknown as ApprovalRequest;
      if (request.state === "pending") add(index, request);
    }
    PENDING.set(approvals, index);
  }
  return index;
}

function indexPending(approvals: Readonly<Record<string, StoredRecord>>, request: ApprovalRequest): void {
  add(pendingIndex(approvals), request);
}

function add(index: Map<string, Set<string>>, request: ApprovalRequest): void {
  const ids = index.get(request.jobId) ?? new Set<string>();
  ids.add(request.id);
  index.set(request.jobId, ids);
}
