import { waitReady } from "../cluster/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import { newVersionDeploymentName, transition } from "../release/index.ts";
import { audit, type DeskContext } from "./context.ts";
import { failJob } from "./job-changes.ts";
import { mustJob, readJob, saveJob } from "./records.ts";

/** Watches new versions come up: one wait per deploying job, whoever asks for it. */
export class Deployments {
  readonly #ctx: DeskContext;
  readonly #waits = new Map<string, Promise<ReleaseJob>>();
  readonly #stop = new AbortController();

  constructor(ctx: DeskContext) {
    this.#ctx = ctx;
  }

  /**
   * Starts waiting (once) and returns the job as it ends up: ready, or failed with the reason. `justCreated`:
   * Graydesk created the new version's Deployment a moment ago (not read first: one watch shows it as it comes up).
   */
  watch(jobId: string, options: { justCreated?: boolean } = {}): Promise<ReleaseJob> {
    const running = this.#waits.get(jobId);
    if (running) return running;
    const wait = this.#wait(jobId, options.justCreated === true).finally(() => this.#waits.delete(jobId));
    this.#waits.set(jobId, wait);
    // Nobody may be listening (createJob returns before the version is ready): failures are logged here.
    wait.catch((error) =>
      this.#ctx.logger.error({ err: error, job: jobId }, "waiting for a new version failed"),
    );
    return wait;
  }

  async #wait(jobId: string, justCreated: boolean): Promise<ReleaseJob> {
    const ctx = this.#ctx;
    const job = mustJob(ctx, jobId);
    if (job.state !== "deploying") return job;
    const name = newVersionDeploymentName(job.service.name, job.newVersion.version);
    try {
      await waitReady(ctx.kube, job.namespace, name, { ...ctx.wait, signal: this.#stop.signal, justCreated });
    } catch (error) {
      if (this.#stop.signal.aborted) return mustJob(ctx, jobId);
      ctx.recent.drop(jobId);
      return failJob(ctx, jobId, error, "graydesk");
    }
    // The creation's reads showed the version as it was created: what follows is drawn from new reads.
    ctx.recent.drop(jobId);
    const now = mustJob(ctx, jobId);
    if (now.state !== "deploying") return now;
    const ready = transition(now, { kind: "deployed", at: ctx.now(), actor: "graydesk" });
    await saveJob(ctx, ready, "deployed");
    await audit(ctx, { kind: "job.deployed", actor: "graydesk", job: jobId, namespace: job.namespace });
    return ready;
  }

  /** Waits for the job to leave `deploying`, for at most `timeoutMs` (then returns it as it is). */
  async until(jobId: string, timeoutMs?: number): Promise<ReleaseJob> {
    const wait = this.watch(jobId);
    if (timeoutMs === undefined) return wait;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ReleaseJob>((resolve) => {
      timer = setTimeout(() => resolve(mustJob(this.#ctx, jobId)), timeoutMs);
    });
    return Promise.race([wait, late]).finally(() => clearTimeout(timer));
  }

  pending(jobId: string): boolean {
    return this.#waits.has(jobId) || readJob(this.#ctx, jobId)?.state === "deploying";
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#waits.values()]);
  }
}
