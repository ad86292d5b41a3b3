import { stateWords } from "../../../views/event-words.ts";
import { type ApprovalRequest, NotAuthorized } from "../../approvals/index.ts";
import type { ReleaseDesk } from "../../desk/index.ts";
import type { Logger } from "../../log.ts";
import type { PromisedRequest, ReleaseJob } from "../../release/index.ts";
import { plainText, userMessageOf } from "../../release/index.ts";
import type { AuditLog, Store } from "../../store/index.ts";
import type { ApprovalDesk } from "./approvals.ts";

export interface PromisesOptions {
  desk: ReleaseDesk;
  store: Store;
  approvals: ApprovalDesk;
  logger: Logger;
  /** Records a promise the creator's rights no longer cover (the policy changed while the version came up). */
  audit?: Pick<AuditLog, "append">;
  /** Tells the job's thread when a promised request could not be opened. */
  note(jobId: string, text: string): Promise<void>;
}

/**
 * The approval requests promised when jobs were created, kept in the store with each job: opened once the new
 * version is ready, by whichever comes first (the creating request, the desk's "deployed" event, the start-up
 * sweep after a restart), exactly once: a compare-and-set claims it, and a claim a crash interrupted is
 * settled by looking for the request it may already have opened.
 */
export class Promises {
  readonly #o: PromisesOptions;
  readonly #running = new Map<string, Promise<ApprovalRequest | undefined>>();

  constructor(options: PromisesOptions) {
    this.#o = options;
  }

  /** Opens the job's promised request if it is due and not opened yet; the request when it exists. */
  keep(jobId: string): Promise<ApprovalRequest | undefined> {
    const running = this.#running.get(jobId);
    if (running) return running;
    const work = this.#keep(jobId).finally(() => this.#running.delete(jobId));
    this.#running.set(jobId, work);
    return work;
  }

  /** Start-up: every promise whose job is ready, opened now (those still deploying are kept when deployed). */
  async sweep(): Promise<void> {
    for (const job of this.#o.desk.jobs()) {
      const state = job.promised?.state;
      if (state !== "promised" && state !== "opening") continue;
      await this.keep(job.id).catch((error) =>
        this.#o.logger.warn({ err: error, job: job.id }, "could not open a promised approval request"),
      );
    }
  }

  async #keep(jobId: string): Promise<ApprovalRequest | undefined> {
    const job = this.#o.desk.job(jobId);
    const promised = job?.promised;
    if (!job || !promised) return undefined;
    if (promised.state === "opened" || promised.state === "broken") return this.#opened(jobId);
    if (job.state === "failed" || job.state === "abandoned" || job.state === "not-deployed") {
      await this.#settle(jobId, {
        state: "broken",
        problem: `the job was ${stateWords(job.state)} before it was ready`,
      });
      return undefined;
    }
    if (job.state !== "ready" && job.state !== "active") return undefined;
    if (!(await this.#claim(jobId))) return this.#opened(jobId);
    try {
      const request = await this.#o.approvals.requestChange({
        jobId,
        change: { kind: "shift", traffic: promised.traffic },
        actor: { user: promised.by, ...(promised.team ? { team: promised.team } : {}) },
        action: "promise.open",
        promiseOf: jobId,
        ...(promised.channel ? { channel: promised.channel } : {}),
      });
      await this.#settle(jobId, { state: "opened", requestId: request.id });
      return request;
    } catch (error) {
      const problem =
        userMessageOf(error) ?? "opening it failed on Graydesk's side; the details are in its log";
      if (userMessageOf(error) === undefined)
        this.#o.logger.error({ err: error, job: jobId }, "promised approval request failed");
      // The note shows the message as mrkdwn (a refusal may mention who holds the right); records keep it plain.
      await this.#settle(jobId, { state: "broken", problem: plainText(problem) });
      // Kept after a restart or when the version came up: the creator's rights are judged under today's policy.
      if (error instanceof NotAuthorized)
        await this.#o.audit
          ?.append({
            kind: "promise.refused",
            actor: promised.by,
            job: job.name,
            namespace: job.namespace,
            detail: { right: error.right, reason: plainText(problem) },
          })
          .catch((err) => this.#o.logger.error({ err, job: jobId }, "audit append failed"));
      await this.#o.note(
        jobId,
        `:warning: The approval request promised for *${job.name}* was not opened: ${problem}`,
      );
      throw error;
    }
  }

  /** Claims the promise; an interrupted claim whose request exists is settled as opened instead. */
  #claim(jobId: string): Promise<boolean> {
    return this.#o.store.update((d) => {
      const job = d.jobs[jobId] as unknown as ReleaseJob | undefined;
      const promised = job?.promised;
      if (!job || !promised) return false;
      if (promised.state === "opening") {
        const made = Object.values(d.approvals).find((r) => r.promiseOf === jobId);
        if (made) {
          job.promised = { ...promised, state: "opened", requestId: String(made.id) };
          return false;
        }
      } else if (promised.state !== "promised") return false;
      job.promised = { ...promised, state: "opening" };
      return true;
    });
  }

  #settle(jobId: string, change: Partial<PromisedRequest>): Promise<void> {
    return this.#o.store.update((d) => {
      const job = d.jobs[jobId] as unknown as ReleaseJob | undefined;
      if (job?.promised) job.promised = { ...job.promised, ...change };
    });
  }

  #opened(jobId: string): ApprovalRequest | undefined {
    const id = this.#o.desk.job(jobId)?.promised?.requestId;
    return id ? this.#o.approvals.gate.get(id) : undefined;
  }
}
