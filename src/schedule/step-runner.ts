import { type Policy, policyFor } from "../approvals/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import type { Store, StoredRecord } from "../store/index.ts";
import { ScheduleError } from "./cron.ts";
import { approveSchedule, type ScheduleApproval, scheduleHash } from "./step-approval.ts";
import {
  afterAction,
  currentPercent,
  nextAction,
  type StepAction,
  type StepHealth,
  type StepSchedule,
} from "./steps.ts";

export interface StepRunnerDeps {
  store: Store;
  policy: Policy;
  job(jobId: string): ReleaseJob | undefined;
  health(job: ReleaseJob): Promise<StepHealth>;
  /** Raises a normal approval request for shifting the new version to `percent`. */
  requestShift(job: ReleaseJob, percent: number): Promise<void>;
  /** Applies the shift without approval (policy autoSteps, health within thresholds). */
  applyShift(job: ReleaseJob, percent: number): Promise<void>;
  /** Tells the job's channel/thread what the schedule did. */
  notify(job: ReleaseJob, text: string): Promise<void>;
  /**
   * Whether the people behind the schedule (who set it, who approved it) still hold the rights a step needs under
   * today's policy: undefined when they do, else the refusal naming the missing right (recorded by the caller).
   */
  refusal?(job: ReleaseJob, schedule: StepSchedule): Promise<string | undefined>;
  now?: () => Date;
  /** How often the leader looks for due steps. Default 30 s. */
  tickMs?: number;
  onError?: (error: unknown, jobId: string) => void;
}

/**
 * Runs canary step schedules. Setting, pausing and resuming work on any replica (store updates); only the leader
 * ticks. Each due action is first claimed by compare-and-set on the schedule (its `next`, `dueAt` and
 * `awaiting` must still be what was decided on), so a step is requested or applied once even across a leader
 * handover.
 */
export class StepRunner {
  readonly #deps: StepRunnerDeps;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();

  constructor(deps: StepRunnerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  get(jobId: string): StepSchedule | undefined {
    return this.#deps.store.data().steps[jobId] as unknown as StepSchedule | undefined;
  }

  list(): StepSchedule[] {
    return Object.values(this.#deps.store.data().steps) as unknown as StepSchedule[];
  }

  /** Saves the job's schedule (replacing any); steps the job already serves are skipped, the next is due now. */
  async set(
    jobId: string,
    percents: number[],
    everyMinutes: number,
    actor: string,
    team?: string,
  ): Promise<StepSchedule> {
    const job = this.#deps.job(jobId);
    if (!job) throw new ScheduleError("unknown-job", "There is no such release job.");
    if (job.strategy !== "canary" || job.traffic.kind === "match")
      throw new ScheduleError(
        "not-weighted",
        `${job.name} is not a canary by percentage: step schedules shift weights, so they need one.`,
      );
    const current = currentPercent(job);
    const next = percents.findIndex((p) => p > current);
    if (next < 0)
      throw new ScheduleError("nothing-to-do", `${job.name} already serves ${current} % on the new version.`);
    const schedule: StepSchedule = {
      id: jobId,
      jobId,
      percents,
      everyMinutes,
      next,
      dueAt: this.#now().toISOString(),
      setBy: actor,
      ...(team ? { setByTeam: team } : {}),
    };
    schedule.approval = { state: "pending", hash: scheduleHash(schedule) };
    await this.#deps.store.update((d) => {
      d.steps[jobId] = schedule as unknown as StoredRecord;
    });
    return schedule;
  }

  /** Approves the schedule asked for under `hash` (the approval request's); see approveSchedule. */
  approve(jobId: string, hash: string, by: string): Promise<ScheduleApproval> {
    return approveSchedule(this.#deps.store, jobId, hash, by, this.#now());
  }

  async pause(jobId: string, reason: string): Promise<boolean> {
    return this.#change(jobId, (s) => ({ ...s, paused: reason }));
  }

  /** Resumes a paused schedule; its next step is due at once. */
  async resume(jobId: string): Promise<boolean> {
    return this.#change(jobId, ({ paused: _paused, ...s }) => ({ ...s, dueAt: this.#now().toISOString() }));
  }

  async cancel(jobId: string): Promise<boolean> {
    return this.#deps.store.update((d) => {
      if (!d.steps[jobId]) return false;
      delete d.steps[jobId];
      return true;
    });
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#deps.tickMs ?? 30_000);
    this.#timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
  }

  /** Looks at every schedule once; ticks never overlap. */
  tick(): Promise<void> {
    this.#ticking = this.#ticking.then(async () => {
      for (const schedule of this.list()) {
        try {
          await this.#step(schedule);
        } catch (error) {
          this.#deps.onError?.(error, schedule.jobId);
        }
      }
    });
    return this.#ticking;
  }

  async #step(schedule: StepSchedule): Promise<void> {
    const job = this.#deps.job(schedule.jobId);
    const now = this.#now();
    const dueSoon = job && !schedule.paused && now >= new Date(schedule.dueAt);
    const health: StepHealth = dueSoon
      ? await this.#deps.health(job)
      : { status: "unknown", reason: "not measured" };
    const action = nextAction(
      schedule,
      job,
      health,
      policyFor(this.#deps.policy, job?.namespace ?? "", job?.cluster),
      now,
    );
    if (action.kind === "wait" || action.kind === "idle") return;
    if ((action.kind === "request" || action.kind === "apply") && job) {
      const refusal = await this.#deps.refusal?.(job, schedule);
      if (refusal !== undefined) {
        // Nothing is asked or applied for people without the rights: the schedule stops where it is, saying why.
        const paused = await this.#deps.store.update((d) => {
          const stored = d.steps[schedule.jobId] as unknown as StepSchedule | undefined;
          if (!stored || stored.paused !== undefined || stored.next !== schedule.next) return false;
          d.steps[schedule.jobId] = { ...stored, paused: refusal } as unknown as StoredRecord;
          return true;
        });
        if (paused) {
          const steps = schedule.percents.map((p) => `${p} %`).join(" → ");
          await this.#deps.notify(
            job,
            `Step schedule (${steps}) paused before ${action.percent} %: ${refusal}`,
          );
        }
        return;
      }
    }
    if (!(await this.#claim(schedule, action, now)) || !job) return;
    await this.#act(job, schedule, action);
  }

  async #act(job: ReleaseJob, schedule: StepSchedule, action: StepAction): Promise<void> {
    const steps = schedule.percents.map((p) => `${p} %`).join(" → ");
    switch (action.kind) {
      case "request":
        await this.#deps.requestShift(job, action.percent);
        return;
      case "apply":
        try {
          await this.#deps.applyShift(job, action.percent);
        } catch (error) {
          const reason = `applying ${action.percent} % failed: ${(error as Error).message}`;
          await this.#change(job.id, (s) => ({ ...s, next: schedule.next, paused: reason }));
          await this.#deps.notify(job, `Step schedule (${steps}) paused: ${reason}`);
          throw error;
        }
        await this.#deps.notify(
          job,
          `Step schedule (${steps}): shifted ${job.newVersion.version} to ${action.percent} % by itself — the policy allows automatic steps and health is within thresholds.`,
        );
        return;
      case "pause":
        await this.#deps.notify(
          job,
          `Step schedule (${steps}) paused before ${schedule.percents[schedule.next]} %: ${action.reason} Resume it with \`/release steps ${job.name} resume\` once this is understood.`,
        );
        return;
      case "advanced":
        if (schedule.next + 1 >= schedule.percents.length)
          await this.#deps.notify(
            job,
            `Step schedule (${steps}) complete: ${job.newVersion.version} serves ${action.percent} %.`,
          );
        return;
      default:
        return;
    }
  }

  /** Moves the schedule on, but only if it is still exactly what the decision was made on. */
  #claim(schedule: StepSchedule, action: StepAction, now: Date): Promise<boolean> {
    return this.#deps.store.update((d) => {
      const stored = d.steps[schedule.jobId] as unknown as StepSchedule | undefined;
      if (!stored) return false;
      if (
        stored.next !== schedule.next ||
        stored.dueAt !== schedule.dueAt ||
        stored.awaiting !== schedule.awaiting
      )
        return false;
      if (stored.paused !== schedule.paused) return false;
      const after = afterAction(stored, action, now);
      if (after) d.steps[schedule.jobId] = after as unknown as StoredRecord;
      else delete d.steps[schedule.jobId];
      return true;
    });
  }

  #change(jobId: string, change: (s: StepSchedule) => StepSchedule): Promise<boolean> {
    return this.#deps.store.update((d) => {
      const stored = d.steps[jobId] as unknown as StepSchedule | undefined;
      if (!stored) return false;
      d.steps[jobId] = change(stored) as unknown as StoredRecord;
      return true;
    });
  }
}
