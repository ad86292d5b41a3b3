import type { Kube, MemoReads } from "../cluster/index.ts";

/** Plans whose reads are kept for the card drawn after their apply; the oldest go first. */
const KEPT_PLANS = 50;

/**
 * The reads of a job's latest operation, lent for a few seconds to the status redraws the same user request
 * makes right after it (the card under a new approval request), so one request reads each object once. Any
 * write in the namespace drops them: a status never shows less than Graydesk itself changed.
 */
export class RecentReads {
  readonly #kept = new Map<string, { namespace: string; reads: Kube; at: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs = 5_000, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  readonly #plans = new Map<string, MemoReads>();

  /**
   * A plan's own reads, kept until it is applied (or pushed out by newer plans): the card after the apply is
   * drawn from them and the writes' answers. They are not dropped by writes: the apply overlays its own.
   */
  keepPlan(planId: string, reads: MemoReads): void {
    this.#plans.set(planId, reads);
    for (const oldest of this.#plans.keys()) {
      if (this.#plans.size <= KEPT_PLANS) break;
      this.#plans.delete(oldest);
    }
  }

  takePlan(planId: string): MemoReads | undefined {
    const reads = this.#plans.get(planId);
    this.#plans.delete(planId);
    return reads;
  }

  readonly #namespaces = new Map<string, { reads: MemoReads; at: number }>();

  /**
   * The reads of one user request in a namespace, shared by its steps (the services and apps a command looks up,
   * then the job it creates), so the request reads each object once: kept for a few seconds, dropped by any
   * write there. `fresh` makes a new one when none is kept.
   */
  namespaceReads(namespace: string, fresh: () => MemoReads): MemoReads {
    const kept = this.#namespaces.get(namespace);
    if (kept && this.#now() - kept.at < this.#ttlMs) return kept.reads;
    const reads = fresh();
    this.#namespaces.set(namespace, { reads, at: this.#now() });
    return reads;
  }

  keep(job: { id: string; namespace: string }, reads: Kube): void {
    this.#kept.set(job.id, { namespace: job.namespace, reads, at: this.#now() });
  }

  /** The job's recent reads, if still young and no write touched its namespace since. */
  take(jobId: string): Kube | undefined {
    const kept = this.#kept.get(jobId);
    if (!kept) return undefined;
    if (this.#now() - kept.at < this.#ttlMs) return kept.reads;
    this.#kept.delete(jobId);
    return undefined;
  }

  /** Drops the job's kept reads: what they were lent for is drawn. */
  drop(jobId: string): void {
    this.#kept.delete(jobId);
  }

  forget(namespace: string | undefined): void {
    for (const [id, kept] of this.#kept)
      if (namespace === undefined || kept.namespace === namespace) this.#kept.delete(id);
    for (const kept of this.#namespaces.keys())
      if (namespace === undefined || kept === namespace) this.#namespaces.delete(kept);
  }
}
