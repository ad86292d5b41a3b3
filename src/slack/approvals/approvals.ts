import { escapeText } from "../../../views/escape.ts";
import {
  type Action,
  type Actor,
  type ApprovalGate,
  type ApprovalRequest,
  type Authorizer,
  decideAhead,
  type NamespacePolicy,
  OneAtATime,
  type Permissions,
  type Policy,
  policyFor,
  writeAhead,
} from "../../approvals/index.ts";
import type { ApplyOutcome, JobChange, ReleaseDesk } from "../../desk/index.ts";
import type { Logger } from "../../log.ts";
import { jobScope, type ReleaseJob, UserFacingError } from "../../release/index.ts";
import { approveSchedule, type StepSchedule, scheduleRequested } from "../../schedule/index.ts";
import type { AuditLog, Store } from "../../store/index.ts";
import type { JobAnalysis } from "../../telemetry/index.ts";
import { analysisSettings } from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";
import type { SlackOutbox } from "../outbox.ts";
import { despiteRule, type RequestAnalysis, requestAnalysis } from "./analysis-gate.ts";
import { applyApproved } from "./apply-approved.ts";
import { ApprovalMessages } from "./approval-messages.ts";
import { approveAndApply } from "./approve-and-apply.ts";
import { describeChange, newVersionOperation } from "./change-words.ts";
import { Pressing } from "./pressing.ts";
import { asksForNewVersion, type StoredCopy } from "./request-facts.ts";
import { scheduleWords } from "./schedule-words.ts";

export interface ApprovalDeskOptions {
  /** Graydesk's clock (tests move it): when an approved schedule's first step is due. */
  now?: () => Date;
  desk: ReleaseDesk;
  gate: ApprovalGate;
  permissions: Permissions;
  authorizer: Authorizer;
  policy: Policy;
  cards: JobCards;
  audit: AuditLog;
  store: Store;
  /** Every approval message and thread note goes through it (see SlackOutbox). */
  outbox: SlackOutbox;
  logger: Logger;
  /** How long a change asked for while the new version is still deploying waits for it (default 2 minutes). */
  deployWaitMs?: number;
  /**
   * The versions' health as the approvers should see it with the request (telemetry's evidence lines, or why
   * there is none); absent when no metrics source is configured.
   */
  evidence?: (job: ReleaseJob) => Promise<{ lines: string[]; analysis?: JobAnalysis }>;
  /** The job's analysis as the latest checks left it (no new query), judged again when someone approves. */
  analysis?: (job: ReleaseJob) => JobAnalysis | undefined;
}

export interface ScheduleRequest {
  jobId: string;
  /** The schedule as stored (pending approval), with its hash. */
  schedule: StepSchedule;
  actor: Actor;
  channel?: string;
}

export interface NewVersionRequest {
  jobId: string;
  actor: Actor;
  channel?: string;
}

export interface ChangeRequest {
  jobId: string;
  change: JobChange;
  actor: Actor;
  /** Where to post the request when the job has no card yet. */
  channel?: string;
  /** What the actor is doing, for the authorization check (default `change.request`). */
  action?: Action;
  /** The job whose creation promised this request (see Promises): recorded with the request. */
  promiseOf?: string;
}

/** What the audit trail records of an approval given despite a failing analysis. */
function despite(failing: string | undefined): Record<string, unknown> {
  return failing ? { despiteFailingAnalysis: true, analysis: failing } : {};
}

/** The thread's note of a rejection: who, what, and their reason as a quote. */
function rejectedNote(user: string, operation: string, withdrawn: boolean, reason?: string): string {
  const what = withdrawn
    ? `<@${user}> withdrew their request to *${escapeText(operation)}*. Nothing changed.`
    : `<@${user}> rejected *${escapeText(operation)}*. Nothing changed.`;
  return reason ? `${what}\n>${escapeText(reason).replaceAll("\n", "\n>")}` : what;
}

/** What a press of Approve or Reject came to, for the listener to tell the person who pressed. */
export type DecideResult =
  | { kind: "applied"; request: ApprovalRequest; outcome: ApplyOutcome }
  | { kind: "recorded"; request: ApprovalRequest; remaining: number }
  /** A step schedule was approved as a whole: its steps may now be taken. */
  | { kind: "schedule-approved"; request: ApprovalRequest }
  | { kind: "rejected"; request: ApprovalRequest }
  /** Decided before (a double click, a Slack retry, another approver first): nothing happened. */
  | { kind: "already"; request: ApprovalRequest }
  | { kind: "expired"; request: ApprovalRequest }
  /** The cluster changed since the plan was made: nothing was applied; re-request it. */
  | { kind: "stale"; request: ApprovalRequest; reason: string }
  | { kind: "failed"; request: ApprovalRequest; reason: string }
  /** The policy does not let this person decide; nothing changed. */
  | { kind: "refused"; rule: string }
  | { kind: "not-found" };

/**
 * Every traffic change goes through here: permission ▶ plan ▶ gate ▶ messages ▶ audit on request, and
 * permission ▶ the gate's compare-and-set ▶ apply exactly once ▶ messages ▶ audit on decision.
 */
export class ApprovalDesk {
  readonly #o: ApprovalDeskOptions;
  readonly #messages: ApprovalMessages;
  readonly #deciding = new OneAtATime();
  readonly #pressing = new Pressing();

  constructor(options: ApprovalDeskOptions) {
    this.#o = options;
    this.#messages = new ApprovalMessages(options);
  }

  get gate(): ApprovalGate {
    return this.#o.gate;
  }

  async requestChange(request: ChangeRequest): Promise<ApprovalRequest> {
    const { jobId, change, channel } = request;
    const { desk, gate, policy, audit, authorizer } = this.#o;
    let job = this.#job(jobId);
    const rules = policyFor(policy, job.namespace, job.cluster);
    await authorizer.require(request.actor, request.action ?? "change.request", job.namespace, job.cluster);
    const actor = request.actor.user;
    // A new job's first traffic change is asked for with the job: plan it once the new version is ready.
    if (job.state === "deploying") job = await desk.waitDeployed(jobId, this.#o.deployWaitMs ?? 120_000);
    const plan = await desk.planChange(jobId, change, actor);
    const health = await this.#evidence(job);
    const evidence = health?.lines;
    const analysis = health?.analysis ? requestAnalysis(job, change, health.analysis) : undefined;
    const superseded = gate.pendingFor(jobId);
    const id = gate.newId();
    const operation = describeChange(change);
    const opened = await writeAhead(
      audit,
      this.#o.logger,
      {
        kind: "requested",
        actor,
        job: job.name,
        namespace: job.namespace,
        detail: { requestId: id, operation, summary: plan.summary },
      },
      () =>
        gate.open(
          {
            jobId,
            jobName: job.name,
            namespace: job.namespace,
            operation,
            planId: plan.id,
            planHash: plan.hash,
            summary: plan.summary,
            requestedBy: actor,
            requiredApprovals: rules.approvals,
            expiryMinutes: rules.expiryMinutes,
          },
          id,
        ),
    );
    // The gate keeps what it needs to decide; the change itself is kept beside it for Re-request.
    await this.#o.store.update((d) => {
      const record = d.approvals[opened.id];
      if (!record) return;
      record.change = change;
      if (request.promiseOf) record.promiseOf = request.promiseOf;
      // A snapshot: redraws of the message keep showing what the approvers decided on.
      if (evidence) record.evidence = evidence;
      if (analysis) record.analysis = analysis;
    });
    return this.#announce(opened, job, rules, superseded, channel);
  }

  /**
   * A job created where new versions need an approval (`approveNewVersions`): one request shows the new
   * Deployment as a plan (images, replicas, the pod-spec diff against the stable version); nothing is in the
   * cluster until it is approved, and applying it deploys the version as creating a job does otherwise.
   */
  async requestNewVersion({ jobId, actor, channel }: NewVersionRequest): Promise<ApprovalRequest> {
    const { desk, gate, policy, audit, authorizer } = this.#o;
    const job = this.#job(jobId);
    await authorizer.require(actor, "job.create", job.namespace, job.cluster);
    const plan = job.proposal ? desk.plan(job.proposal.planId) : undefined;
    if (job.state !== "awaiting-approval" || !job.proposal || !plan)
      throw new UserFacingError("not-found", `Job ${job.name} has no new version waiting for approval.`);
    const rules = policyFor(policy, job.namespace, job.cluster);
    const superseded = gate.pendingFor(jobId);
    const opened = await gate.open({
      jobId,
      jobName: job.name,
      namespace: job.namespace,
      operation: newVersionOperation(job),
      planId: plan.id,
      planHash: plan.hash,
      summary: plan.summary,
      requestedBy: actor.user,
      requiredApprovals: rules.approvals,
      expiryMinutes: rules.expiryMinutes,
    });
    await audit.append({
      kind: "requested",
      actor: actor.user,
      job: job.name,
      namespace: job.namespace,
      detail: { requestId: opened.id, operation: opened.operation, summary: plan.summary },
    });
    return this.#announce(opened, job, rules, superseded, channel);
  }

  /**
   * A new version's request ended without being applied (rejected, withdrawn, expired): its job closes with
   * nothing deployed, saying why. Other requests leave their job as it is.
   */
  async #closeIfNewVersion(request: ApprovalRequest, reason: string, actor: string): Promise<void> {
    const job = this.#o.desk.job(request.jobId);
    if (job?.state !== "awaiting-approval" || !asksForNewVersion(job, request)) return;
    try {
      await this.#o.desk.closeNotDeployed(job.id, reason, actor);
    } catch (error) {
      this.#o.logger.error(
        { err: error, job: job.id },
        "could not close a job whose new version was not approved",
      );
      return;
    }
    const by = actor === "graydesk" ? "" : ` (<@${actor}>)`;
    await this.#messages.note(
      job.id,
      `:black_circle: Job *${escapeText(job.name)}* is closed: ${escapeText(reason)}${by}. Nothing was deployed.`,
    );
    await this.#messages.refreshCard(job.id);
  }

  /**
   * A step schedule is approved as a whole: one request shows every step, its interval and the health gate;
   * no step is taken before it is approved (see approveSchedule).
   */
  async requestSchedule({ jobId, schedule, actor, channel }: ScheduleRequest): Promise<ApprovalRequest> {
    const { gate, policy, audit, authorizer } = this.#o;
    const job = this.#job(jobId);
    const rules = policyFor(policy, job.namespace, job.cluster);
    await authorizer.require(actor, "steps.set", jobScope(job));
    const hash = schedule.approval?.hash;
    if (!hash) throw new UserFacingError("not-found", "That step schedule has nothing to approve.");
    const words = scheduleWords(job, schedule, rules, {
      minRequests: analysisSettings(rules).minRequests,
    });
    const superseded = gate.pendingFor(jobId);
    const id = gate.newId();
    const opened = await writeAhead(
      audit,
      this.#o.logger,
      {
        kind: "requested",
        actor: actor.user,
        job: job.name,
        namespace: job.namespace,
        detail: { requestId: id, operation: words.operation, summary: words.summary },
      },
      () =>
        gate.open(
          {
            jobId,
            jobName: job.name,
            namespace: job.namespace,
            operation: words.operation,
            planId: `steps:${jobId}:${hash}`,
            planHash: hash,
            summary: words.summary,
            requestedBy: actor.user,
            requiredApprovals: rules.approvals,
            expiryMinutes: rules.expiryMinutes,
          },
          id,
        ),
    );
    await this.#o.store.update((d) => {
      const record = d.approvals[opened.id];
      if (record) record.schedule = { percents: schedule.percents, everyMinutes: schedule.everyMinutes };
    });
    await scheduleRequested(this.#o.store, jobId, hash, opened.id);
    return this.#announce(opened, job, rules, superseded, channel);
  }

  async #announce(
    opened: ApprovalRequest,
    job: ReleaseJob,
    rules: NamespacePolicy,
    superseded: ApprovalRequest[],
    channel: string | undefined,
  ): Promise<ApprovalRequest> {
    const targets: { channel: string; threadTs?: string }[] = [];
    const card = this.#o.cards.where(job.id);
    const home = card?.channel ?? channel ?? job.channel;
    if (home) targets.push({ channel: home, ...(card ? { threadTs: card.ts } : {}) });
    if (rules.approversChannel && rules.approversChannel !== home)
      targets.push({ channel: rules.approversChannel });
    // Approvers who opted in hear of it directly; the requester is not asked to approve their own change.
    const dms = (rules.approverDms ?? []).filter((user) => user !== opened.requestedBy);
    for (const user of dms) targets.push({ channel: user });
    if (targets.length > 1 || dms.length > 0) {
      const copy: StoredCopy = {
        channel: rules.approversChannel && rules.approversChannel !== home ? rules.approversChannel : "",
        ...(card ? { card } : {}),
        users: rules.approvers?.users ?? [],
        groups: rules.approvers?.groups ?? [],
        dms,
      };
      await this.#o.store.update((d) => {
        const record = d.approvals[opened.id];
        if (record) record.copy = copy;
      });
    }
    await this.#messages.post(opened.id, targets);
    for (const old of superseded) await this.#messages.redraw(old.id);
    await this.#messages.refreshCard(job.id);
    return this.#o.gate.get(opened.id) ?? opened;
  }

  /** The cluster of a request's job, whose policy applies to it (undefined with a single cluster). */
  #clusterOf(jobId: string): string | undefined {
    return this.#o.desk.job(jobId)?.cluster;
  }

  /** Whether the policy lets `user` approve `request` (never their own unless self-approval is on). */
  async mayApprove(request: ApprovalRequest, user: string): Promise<boolean> {
    const rules = policyFor(this.#o.policy, request.namespace, this.#clusterOf(request.jobId));
    return (await this.#o.permissions.mayApprove(rules, request.namespace, user, request)).ok;
  }

  /** Plans the same change again for a request that expired or went stale, asked by `actor`. */
  async rerequest(requestId: string, actor: Actor): Promise<ApprovalRequest> {
    const record = this.#o.store.data().approvals[requestId];
    const change = record?.change as JobChange | undefined;
    const request = this.#o.gate.get(requestId);
    if (request && !change && asksForNewVersion(this.#o.desk.job(request.jobId), request)) {
      await this.#o.authorizer.require(actor, "change.rerequest", request.namespace);
      throw new UserFacingError(
        "not-allowed",
        "A new version that was not approved is not asked for again: its job is closed. Create the job again with /release new.",
      );
    }
    if (!request || !change)
      throw new UserFacingError("not-found", "That approval request is gone; ask for the change again.");
    // Asked before anything about the request is told: an outsider learns nothing of its state.
    await this.#o.authorizer.require(actor, "change.rerequest", request.namespace);
    if (request.state === "pending")
      throw new UserFacingError("not-allowed", "That request is still waiting for approval.");
    return this.requestChange({ jobId: request.jobId, change, actor, action: "change.rerequest" });
  }

  /**
   * Whether `actor` may reject the request now, asked before the Reject dialog opens: the same checks as
   * deciding, so an outsider gets the refusal at once, not a dialog. `withdraw`: the requester's own request.
   */
  async screenReject(
    requestId: string,
    actor: Actor,
  ): Promise<{ kind: "ok"; request: ApprovalRequest; withdraw: boolean } | DecideResult> {
    const current = this.#o.gate.get(requestId);
    if (!current) return { kind: "not-found" };
    const refusal = await this.#screen(current, actor, "reject");
    if (refusal) return refusal;
    return { kind: "ok", request: current, withdraw: actor.user === current.requestedBy };
  }

  /** Permission, authorization and state, in the order that tells each person only what they may know. */
  async #screen(
    current: ApprovalRequest,
    actor: Actor,
    choice: "approve" | "reject",
  ): Promise<DecideResult | undefined> {
    const { policy, permissions, authorizer } = this.#o;
    const user = actor.user;
    const cluster = this.#clusterOf(current.jobId);
    const rules = policyFor(policy, current.namespace, cluster);
    // The requester may withdraw their own request; deciding anything else takes an approver.
    const withdraw = choice === "reject" && user === current.requestedBy;
    // Approving one's own request or approving twice is refused in those words, before any list is consulted.
    const permission = withdraw
      ? { ok: true as const }
      : await permissions.mayApprove(rules, current.namespace, user, current);
    const own = user === current.requestedBy || current.approvals.some((a) => a.user === user);
    if (!permission.ok && own && current.state === "pending")
      return { kind: "refused", rule: permission.rule };
    const authorized = await authorizer.authorize(
      actor,
      withdraw ? "change.request" : "change.decide",
      current.namespace,
      cluster,
    );
    if (!authorized.ok) return { kind: "refused", rule: authorized.message };
    // A decided request says so to whoever may decide: a double click, a Slack retry, a late approver.
    if (current.state !== "pending") return { kind: "already", request: current };
    if (!permission.ok) return { kind: "refused", rule: permission.rule };
    return undefined;
  }

  async decide(press: {
    requestId: string;
    actor: Actor;
    choice: "approve" | "reject";
    /** Pressed "Approve despite failing analysis": the second confirmation a failing new version needs. */
    despiteFailing?: boolean;
    /** Why it is rejected (the Reject dialog checked it): shown on the request, in the thread and the audit. */
    reason?: string;
  }): Promise<DecideResult> {
    // From the press to its write, this press holds back the telling of earlier ones (see Pressing).
    const pressed = this.#pressing.begin();
    try {
      return await this.#decide(press, pressed);
    } finally {
      pressed();
    }
  }

  async #decide(
    { requestId, actor, choice, despiteFailing = false, reason }: Parameters<ApprovalDesk["decide"]>[0],
    pressed: () => void,
  ): Promise<DecideResult> {
    const { gate, audit } = this.#o;
    const user = actor.user;
    const current = gate.get(requestId);
    if (!current) return { kind: "not-found" };
    const refusal = await this.#screen(current, actor, choice);
    if (refusal) return refusal;
    const failing = choice === "approve" ? await this.#failing(current) : undefined;
    if (failing && !despiteFailing) return { kind: "refused", rule: despiteRule(failing) };

    const withdrawn = choice === "reject" && user === current.requestedBy;
    const about = { job: current.jobName, namespace: current.namespace };
    // Write-ahead: the decision is on disk before the gate's compare-and-set commits it (see writeAhead). One
    // decision per request at a time: a double click or a Slack retry finds the first one decided and writes
    // nothing, rather than a record the gate then turns down. The approval that completes a request is
    // committed in the same write as its plan's move to applying (approveAndApply); a schedule has no plan.
    const deps = { ...this.#o, messages: this.#messages, idle: () => this.#pressing.idle() };
    const schedule = this.#o.store.data().approvals[requestId]?.schedule !== undefined;
    const decision = await decideAhead(
      { gate, audit, logger: this.#o.logger, deciding: this.#deciding },
      { requestId, user, choice, ...(reason ? { reason } : {}) },
      (remaining) =>
        choice === "reject"
          ? {
              kind: "rejected",
              actor: user,
              ...about,
              detail: { requestId, ...(reason ? { reason } : {}), ...(withdrawn ? { withdrawn: true } : {}) },
            }
          : {
              kind: "approved",
              actor: user,
              ...about,
              detail: { requestId, ...(remaining > 0 ? { remaining } : {}), ...despite(failing) },
            },
      schedule ? undefined : (request, event) => approveAndApply(deps, request, user, event),
    ).finally(pressed);
    switch (decision.kind) {
      case "started":
        return decision.result;
      case "not-found":
        return decision;
      case "already":
        return decision;
      case "expired":
        await audit.append({ kind: "expired", actor: user, ...about, detail: { requestId } });
        await this.#messages.redraw(requestId);
        await this.#closeIfNewVersion(
          decision.request,
          "its approval request expired before anyone approved it",
          "graydesk",
        );
        return decision;
      case "rejected":
        await this.#messages.redraw(requestId);
        await this.#messages.note(current.jobId, rejectedNote(user, current.operation, withdrawn, reason));
        await this.#closeIfNewVersion(
          decision.request,
          withdrawn
            ? "the requester withdrew the new version"
            : `the new version was rejected${reason ? `: ${reason}` : ""}`,
          user,
        );
        await this.#messages.refreshCard(current.jobId);
        return decision;
      case "recorded":
        await this.#messages.redraw(requestId);
        return decision;
      case "apply":
        if (this.#o.store.data().approvals[requestId]?.schedule)
          return this.#approveSchedule(decision.request, user);
        // Should the trail fail between this approval and the apply, the apply's own write-ahead record fails
        // the same way and closes the request as failed, in words: it is never left "approved" with no one on it.
        return applyApproved(deps, decision.request, user);
    }
  }

  /** A step schedule's approval completed: the schedule may take its steps, if it is still the one asked for. */
  async #approveSchedule(request: ApprovalRequest, user: string): Promise<DecideResult> {
    const about = { job: request.jobName, namespace: request.namespace };
    const result = await approveSchedule(
      this.#o.store,
      request.jobId,
      request.planHash,
      user,
      (this.#o.now ?? (() => new Date()))(),
    );
    if (!result.ok) {
      const closed =
        (await this.#o.gate.finish(request.id, "stale", `Not started: ${result.reason}`)) ?? request;
      await this.#o.audit.append({ kind: "stale", actor: user, ...about, detail: { requestId: request.id } });
      await this.#messages.redraw(request.id);
      return { kind: "stale", request: closed, reason: result.reason };
    }
    const outcome = "Step schedule approved: its first step is due now.";
    const closed = (await this.#o.gate.finish(request.id, "applied", outcome)) ?? request;
    await this.#o.audit.append({
      kind: "applied",
      actor: user,
      ...about,
      detail: { requestId: request.id, schedule: result.schedule.percents },
    });
    await this.#messages.redraw(request.id);
    await this.#messages.note(request.jobId, `<@${user}> approved *${request.operation}*. ${outcome}`);
    return { kind: "schedule-approved", request: closed };
  }

  /** Marks requests past their expiry as expired and updates their messages (a periodic sweep). */
  async expireDue(): Promise<ApprovalRequest[]> {
    const expired = await this.#o.gate.expireDue();
    for (const request of expired) {
      await this.#o.audit.append({
        kind: "expired",
        job: request.jobName,
        namespace: request.namespace,
        detail: { requestId: request.id },
      });
      await this.#messages.redraw(request.id);
      await this.#closeIfNewVersion(
        request,
        "its approval request expired before anyone approved it",
        "graydesk",
      );
    }
    return expired;
  }

  async #evidence(job: ReleaseJob): Promise<{ lines: string[]; analysis?: JobAnalysis } | undefined> {
    if (!this.#o.evidence) return undefined;
    try {
      return await this.#o.evidence(job);
    } catch (error) {
      this.#o.logger.warn({ err: error, job: job.id }, "health evidence unavailable for the request");
      return { lines: ["Live health could not be read for this request."] };
    }
  }

  /**
   * Why approving needs "despite failing analysis": the verdict shown with the request, or one the checks
   * reached since. A verdict newer than the message is drawn on it, so the approver sees what they are told.
   */
  async #failing(request: ApprovalRequest): Promise<string | undefined> {
    const record = this.#o.store.data().approvals[request.id];
    const shown = record?.analysis as RequestAnalysis | undefined;
    if (shown?.failing) return shown.failing;
    const change = record?.change as JobChange | undefined;
    const job = this.#o.desk.job(request.jobId);
    const analysis = job ? this.#o.analysis?.(job) : undefined;
    if (!job || !change || !analysis) return undefined;
    const now = requestAnalysis(job, change, analysis);
    if (!now.failing) return undefined;
    await this.#o.store.update((d) => {
      const stored = d.approvals[request.id];
      if (stored) stored.analysis = now;
    });
    await this.#messages.redraw(request.id);
    return now.failing;
  }

  #job(jobId: string): ReleaseJob {
    const job = this.#o.desk.job(jobId);
    if (!job) throw new UserFacingError("not-found", "That release job no longer exists.");
    return job;
  }
}
