import type { Kube } from "../cluster/index.ts";

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

  forget(namespace: string | undefined): void {
    for (const [id, kept] of this.#kept)
      if (namespace === undefined || kept.namespace === namespace) this.#kept.delete(id);
  }
}
