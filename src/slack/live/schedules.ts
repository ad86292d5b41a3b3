import type { WebClient } from "@slack/web-api";
import { defaultNamespace } from "../../../commands/job-ref.ts";
import { buildNote } from "../../../views/desk-message.ts";
import type { Action, Actor } from "../../approvals/index.ts";
import type { ReleaseJob } from "../../release/index.ts";
import {
  buildDigest,
  DigestSchedules,
  gatherDigest,
  type ListObjects,
  type StepHealth,
  StepRunner,
} from "../../schedule/index.ts";
import type { SlackDeps } from "../deps.ts";
import { stepHealth } from "./step-health.ts";

/** The actor recorded for steps the schedule applies by itself (policy autoSteps). */
export const STEPS_ACTOR = "graydesk-steps";

export interface ScheduleParts {
  digests: DigestSchedules;
  steps: StepRunner;
  /** Builds and posts a channel's digest now; `previous` lists jobs finished since then. */
  postDigest(channel: string, previous?: Date): Promise<void>;
}

/**
 * Digests and canary steps, built on what the Slack side already has: digests read the store, one cluster
 * list per kind and one Prometheus query per metric; steps go through the same approval path as a person.
 */
export function buildSchedules(
  deps: SlackDeps,
  options: {
    client: WebClient;
    list: ListObjects;
    /** With several clusters: each cluster's list by name (see DigestSources.clusters). */
    clusters?: Record<string, ListObjects>;
    onError: (error: unknown) => void;
  },
): ScheduleParts {
  const { store, policy, clock, telemetry, desk, approvals, cards, authorizer } = deps;
  // A tick acts for whoever set the schedule, with their rights as the policy says today.
  const setter = (job: ReleaseJob): Actor => {
    const schedule = steps.get(job.id);
    return schedule
      ? { user: schedule.setBy, ...(schedule.setByTeam ? { team: schedule.setByTeam } : {}) }
      : { user: STEPS_ACTOR };
  };
  const postDigest = async (channel: string, previous?: Date) => {
    const namespace = defaultNamespace(store, channel);
    const input = await gatherDigest(
      {
        store,
        policy,
        now: clock,
        list: options.list,
        ...(options.clusters ? { clusters: options.clusters } : {}),
        health: (jobs) => telemetry.healthOfJobs(jobs),
        analysis: (job) => deps.watch.analysis(job),
      },
      { ...(namespace ? { namespaces: [namespace] } : {}), ...(previous ? { lastDigestAt: previous } : {}) },
    );
    // The title's time reads in the schedule's own zone (a Europe/Berlin digest is titled in Berlin time).
    const timeZone = store.data().schedules[channel]?.timezone;
    const zoned = typeof timeZone === "string" ? { ...input, timeZone } : input;
    for (const message of buildDigest(zoned)) await options.client.chat.postMessage({ channel, ...message });
  };
  const digests = new DigestSchedules({
    store,
    now: clock,
    post: (channel, _slot, previous) => postDigest(channel, previous),
    onError: (error) => options.onError(error),
  });
  const health = async (job: ReleaseJob): Promise<StepHealth> =>
    stepHealth(telemetry.prometheusConfigured, deps.watch.analysis(job));
  const weightsAt = (job: ReleaseJob, percent: number) => ({
    kind: "weights" as const,
    weights: { [job.stableVersion]: 100 - percent, [job.newVersion.version]: percent },
  });
  const steps = new StepRunner({
    store,
    policy,
    now: clock,
    job: (id) => desk.job(id),
    health,
    async requestShift(job, percent) {
      // Asked on behalf of whoever set the schedule: their permission to request counts, as if they typed it.
      await approvals.requestChange({
        jobId: job.id,
        change: { kind: "shift", traffic: weightsAt(job, percent) },
        actor: setter(job),
        action: "steps.tick",
      });
    },
    async applyShift(job, percent) {
      await authorizer.require(setter(job), "steps.tick", job.namespace);
      const plan = await desk.planChange(
        job.id,
        { kind: "shift", traffic: weightsAt(job, percent) },
        STEPS_ACTOR,
      );
      await desk.applyPlan(plan.id, STEPS_ACTOR);
    },
    async notify(job, text) {
      await cards.thread(job.id, buildNote(text));
    },
    // Every tick judges the schedule's people under today's policy: who set it and who approved it.
    async refusal(job, schedule) {
      const checks: [Actor, Action, string][] = [[setter(job), "steps.tick", "who set it"]];
      if (schedule.approval?.by)
        checks.push([{ user: schedule.approval.by }, "change.decide", "who approved it"]);
      for (const [actor, action, role] of checks) {
        const verdict = await authorizer.authorize(actor, action, job.namespace, job.cluster);
        if (verdict.ok) continue;
        const reason = `${actor.user}, ${role}, no longer holds the right it needs: ${verdict.message.replace(/^You need/, "they need")}`;
        await deps.audit
          .append({
            kind: "steps.refused",
            actor: actor.user,
            job: job.name,
            namespace: job.namespace,
            detail: { action, right: verdict.right, reason },
          })
          .catch((err) => deps.logger.error({ err, job: job.id }, "audit append failed"));
        return reason;
      }
      return undefined;
    },
    onError: (error) => options.onError(error),
  });
  return { digests, steps, postDigest };
}
