import type { App } from "@slack/bolt";
import { buildNote } from "../../../views/desk-message.ts";
import { escapeText } from "../../../views/escape.ts";
import {
  ApprovalGate,
  type ApprovalRequest,
  Authorizer,
  cachedGroups,
  type HomeTeam,
  Permissions,
  type Policy,
  policyFor,
} from "../../approvals/index.ts";
import type { DeskEvents, ReleaseDesk } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import type { ReleaseJob } from "../../release/index.ts";
import type { AuditLog, Store } from "../../store/index.ts";
import {
  createTelemetry,
  evidence,
  HealthWatch,
  type JobAnalysis,
  type Telemetry,
} from "../../telemetry/index.ts";
import { ApprovalDesk, Promises } from "../approvals/index.ts";
import type { Clock, SlackDeps } from "../deps.ts";
import type { InFlight } from "../in-flight.ts";
import { JobCards } from "../job-card.ts";
import { JobCharts } from "../live/charts.ts";
import { SlackOutbox } from "../outbox.ts";

export interface SlackDeskParts {
  app: App;
  store: Store;
  audit: AuditLog;
  policy: Policy;
  logger: Logger;
  inFlight: InFlight;
  clock: Clock;
  /** Live health for cards and approval requests; nothing configured when absent. */
  telemetry?: Telemetry;
  /** Messages Slack could not take yet; built by the composition root so it can start and stop its worker. */
  outbox?: SlackOutbox;
  /** Builds the release engine with the events the Slack side listens to (cards refresh on jobChanged). */
  createDesk(events: DeskEvents): ReleaseDesk;
}

/**
 * Builds the Slack side around the release engine: gate, permissions (user groups read through
 * usergroups.users.list, cached), job cards and the approval desk. Called once by the composition root.
 */
export function composeSlackDesk(parts: SlackDeskParts): SlackDeps {
  const { app, store, audit, policy, logger, inFlight, clock } = parts;
  const telemetry = parts.telemetry ?? createTelemetry({});
  const outbox = parts.outbox ?? new SlackOutbox({ client: app.client, store, logger });
  const watch = new HealthWatch({
    policy: (job) => policyFor(policy, job.namespace, job.cluster),
    timing: telemetry.timing,
    now: clock,
  });
  let cards: JobCards | undefined;
  let promises: Promises | undefined;
  let charts: JobCharts | undefined;
  const lastFailure = new Map<string, string>();
  const events: DeskEvents = {
    async jobChanged(job, what) {
      try {
        // A new version came up: the request its creator was promised is opened now (once, see Promises). The
        // request's plan reads what the card shows and redraws it under the request; the card is drawn again
        // from those reads once it is open, so the change is not read twice.
        if (what === "deployed" && job.promised?.state === "promised" && promises) {
          const keeping = promises
            .keep(job.id)
            .catch((error) => logger.warn({ err: error, job: job.id }, "promised request not opened"))
            .then(() => cards?.refresh(job.id))
            .catch((error) => logger.warn({ err: error, job: job.id }, "could not refresh the job card"));
          void inFlight.track(keeping);
        } else await cards?.refresh(job.id);
        // Drawn beside the change, not in its way: a chart takes a Prometheus range query and a render.
        if (charts) {
          const drawing = charts.changed(job);
          void inFlight.track(
            drawing.catch((error) => logger.warn({ err: error, job: job.id }, "could not upload the chart")),
          );
        }
        // A failure nobody asked for (a rollout that never became ready) is told in the job's thread too.
        if (job.state === "failed" && job.failure && job.failure.at !== lastFailure.get(job.id)) {
          lastFailure.set(job.id, job.failure.at);
          const next = job.failure.retryable
            ? "Retry once the cause is fixed, or abandon it."
            : "Abandon it.";
          await cards?.thread(
            job.id,
            buildNote(`:x: Job *${escapeText(job.name)}* failed: ${escapeText(job.failure.reason)}\n${next}`),
          );
        }
      } catch (error) {
        logger.warn({ err: error, job: job.id }, "could not refresh the job card");
      }
    },
  };
  const desk = parts.createDesk(events);
  const gate = new ApprovalGate(store, clock);
  const groupMembers = cachedGroups(
    async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    60_000,
    () => clock().getTime(),
  );
  const permissions = new Permissions(groupMembers);
  const authorizer = new Authorizer(policy, permissions, homeTeam(app));
  cards = new JobCards({
    client: app.client,
    outbox,
    desk,
    store,
    logger,
    pending: (jobId) => gate.pendingFor(jobId).map(pendingWords),
    pendingOfAll() {
      const all = new Map<string, string[]>();
      for (const r of gate.all()) {
        if (r.state !== "pending") continue;
        all.set(r.jobId, [...(all.get(r.jobId) ?? []), pendingWords(r)]);
      }
      return all;
    },
    telemetry,
    policy,
    watch,
  });
  charts = new JobCharts({ client: app.client, desk, cards, telemetry, logger });
  const approvals = new ApprovalDesk({
    desk,
    gate,
    permissions,
    authorizer,
    policy,
    now: clock,
    cards,
    audit,
    store,
    outbox,
    logger,
    ...(telemetry.prometheusConfigured
      ? {
          evidence: (job: ReleaseJob) => healthEvidence(telemetry, watch, job),
          analysis: (job: ReleaseJob) => watch.analysis(job),
        }
      : {}),
  });
  promises = new Promises({
    desk,
    store,
    approvals,
    logger,
    audit,
    note: (jobId, text) => cards?.thread(jobId, buildNote(text)).then(() => undefined) ?? Promise.resolve(),
  });
  return {
    logger,
    inFlight,
    desk,
    approvals,
    promises,
    cards,
    store,
    audit,
    policy,
    authorizer,
    clock,
    telemetry,
    charts,
    watch,
  };
}

/** A pending request as a job's card lists it. */
function pendingWords(r: ApprovalRequest): string {
  return `${escapeText(r.operation)} (asked by <@${r.requestedBy}>)`;
}

/** The workspace the bot token belongs to, asked of Slack once (again after a failure). */
function homeTeam(app: App): HomeTeam {
  let known: Promise<{ team?: string; enterprise?: string }> | undefined;
  return () => {
    known ??= app.client.auth.test().then((r) => ({
      ...(r.team_id ? { team: r.team_id } : {}),
      ...(r.enterprise_id ? { enterprise: r.enterprise_id } : {}),
    }));
    known.catch(() => {
      known = undefined;
    });
    return known;
  };
}

/**
 * The stable and new versions side by side, or in words why their health is not known, with the analysis as
 * it stands counting this reading (previewed, not recorded as one of the refresher's checks).
 */
async function healthEvidence(
  telemetry: Telemetry,
  watch: HealthWatch,
  job: ReleaseJob,
): Promise<{ lines: string[]; analysis: JobAnalysis }> {
  const health = await telemetry.versionHealth(job);
  const analysis = watch.preview(job, health);
  if (health.status !== "ok") return { lines: [health.reason], analysis };
  const stable = health.versions[job.stableVersion];
  const canary = health.versions[job.newVersion.version];
  if (!stable || !canary)
    return { lines: ["No health figures for the stable or the new version yet."], analysis };
  const lines = evidence(
    { version: job.stableVersion, stats: stable },
    { version: job.newVersion.version, stats: canary },
  ).lines;
  return { lines, analysis };
}
