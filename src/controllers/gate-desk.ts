import {
  type ApprovalGate,
  type ApprovalRequest,
  decideAhead,
  OneAtATime,
  type Permissions,
  type Policy,
  policyFor,
  writeAhead,
} from "../approvals/index.ts";
import type { Logger } from "../log.ts";
import { UserFacingError } from "../release/index.ts";
import type { AuditLog, Store } from "../store/index.ts";
import type { GateCards } from "./gate-cards.ts";
import { carryOutApproved, closeOnAbort, rejectForAbort } from "./gate-outcomes.ts";
import { type GateRequest, gateRequestOf, gateRequestsOf } from "./gate-requests.ts";
import type { GatedReleases } from "./gated-releases.ts";
import { type Controller, type GatedRelease, type GateFields, type GateKind, gateSubject } from "./types.ts";

/** Carries out an approved request; the text says what it did. A `stale-plan` UserFacingError refuses it. */
export type CarryOut = (request: GateRequest) => Promise<string>;

export interface GateDeskOptions {
  gate: ApprovalGate;
  permissions: Permissions;
  policy: Policy;
  store: Store;
  audit: AuditLog;
  releases: GatedReleases;
  cards: GateCards;
  logger: Logger;
  clock: () => Date;
  /** Per controller: what approving does. Flagger's gates need nothing: its next webhook call passes. */
  carryOut: Partial<Record<Controller, CarryOut>>;
}

export type GateDecision =
  | { kind: "done"; request: GateRequest }
  | { kind: "recorded"; request: GateRequest; remaining: number }
  | { kind: "rejected"; request: GateRequest }
  | { kind: "already"; request: GateRequest }
  | { kind: "expired"; request: GateRequest }
  | { kind: "stale"; request: GateRequest; reason: string }
  | { kind: "failed"; request: GateRequest; reason: string }
  | { kind: "refused"; rule: string }
  | { kind: "not-found" };

export interface OpenGate {
  release: GatedRelease;
  gate: GateKind;
  requestedBy: string;
  summary: string;
  snapshot?: GateFields["snapshot"];
}

/**
 * The use-cases of controller gates, on the same policy, gate, audit log and cards as Graydesk's own jobs:
 * open a request, decide it (exactly once through the gate's compare-and-set), carry it out.
 */
export class GateDesk {
  readonly #o: GateDeskOptions;
  readonly #deciding = new OneAtATime();

  constructor(options: GateDeskOptions) {
    this.#o = options;
  }

  get releases(): GatedReleases {
    return this.#o.releases;
  }

  get store(): Store {
    return this.#o.store;
  }

  get cards(): GateCards {
    return this.#o.cards;
  }

  request(id: string): GateRequest | undefined {
    return gateRequestOf(this.#o.store, this.#o.gate, id);
  }

  /** The channel a namespace's gate requests go to: the caller's, the policy's approvers channel, or the one set to it. */
  channelFor(namespace: string, asked?: string): string | undefined {
    if (asked) return asked;
    const rules = policyFor(this.#o.policy, namespace);
    if (rules.approversChannel) return rules.approversChannel;
    return Object.values(this.#o.store.data().channels).find((c) => c.namespace === namespace)?.id;
  }

  async open({ release, gate, requestedBy, summary, snapshot }: OpenGate): Promise<GateRequest> {
    const rules = policyFor(this.#o.policy, release.namespace);
    const id = this.#o.gate.newId();
    // Write-ahead: the request is on disk in the audit trail before the gate opens it (see writeAhead).
    const opened = await writeAhead(
      this.#o.audit,
      this.#o.logger,
      {
        kind: "requested",
        actor: requestedBy,
        job: release.name,
        namespace: release.namespace,
        detail: { requestId: id, controller: release.controller, gate, revision: release.revision, summary },
      },
      () =>
        this.#o.gate.open(
          {
            jobId: gateSubject(release.id, gate),
            jobName: release.name,
            namespace: release.namespace,
            operation: gate,
            planId: `${release.id}#${gate}#${release.revision}`,
            planHash: release.revision,
            summary,
            requestedBy,
            requiredApprovals: rules.approvals,
            expiryMinutes: rules.expiryMinutes,
          },
          id,
        ),
    );
    const fields: GateFields = {
      controller: release.controller,
      gate,
      releaseId: release.id,
      revision: release.revision,
      ...(snapshot ? { snapshot } : {}),
    };
    await this.#o.store.update((d) => {
      const record = d.approvals[opened.id];
      if (record) Object.assign(record, fields);
    });
    await this.#o.cards.redraw(release.id);
    return { ...opened, ...fields };
  }

  /** A person asks for a gate (Flagger rollback, Argo full promotion): the policy says who may. */
  async ask(releaseId: string, gate: GateKind, actor: string, summary: string): Promise<GateRequest> {
    const release = this.#release(releaseId);
    const allowed = await this.#o.permissions.mayRequest(
      policyFor(this.#o.policy, release.namespace),
      release.namespace,
      actor,
    );
    if (!allowed.ok) throw new UserFacingError("not-allowed", allowed.rule);
    return this.open({ release, gate, requestedBy: actor, summary });
  }

  async decide(requestId: string, user: string, choice: "approve" | "reject"): Promise<GateDecision> {
    const current = this.request(requestId);
    if (!current) return { kind: "not-found" };
    if (current.state !== "pending") return { kind: "already", request: current };
    const permission =
      choice === "reject" && user === current.requestedBy
        ? { ok: true as const }
        : await this.mayApprove(current, user);
    if (!permission.ok) return { kind: "refused", rule: permission.rule };
    const about = { job: current.jobName, namespace: current.namespace };
    const detail = { requestId, controller: current.controller, gate: current.gate };
    // Write-ahead: the decision is on disk in the audit trail before the gate's compare-and-set commits it; one
    // decision per request at a time, so a double click finds the first one made and writes nothing.
    const decision = await decideAhead(
      { ...this.#o, deciding: this.#deciding },
      { requestId, user, choice },
      (remaining) =>
        choice === "reject"
          ? { kind: "rejected", actor: user, ...about, detail }
          : {
              kind: "approved",
              actor: user,
              ...about,
              detail: { ...detail, ...(remaining > 0 ? { remaining } : {}) },
            },
    );
    const withFields = (r: ApprovalRequest): GateRequest => ({ ...current, ...r });
    switch (decision.kind) {
      case "not-found":
        return decision;
      case "already":
        return { kind: "already", request: withFields(decision.request) };
      case "expired":
        await this.#o.audit.append({ kind: "expired", actor: user, ...about, detail });
        await this.#o.cards.redraw(current.releaseId);
        return { kind: "expired", request: withFields(decision.request) };
      case "rejected":
        await this.#o.cards.redraw(current.releaseId);
        return { kind: "rejected", request: withFields(decision.request) };
      case "recorded":
        await this.#o.cards.redraw(current.releaseId);
        return { kind: "recorded", request: withFields(decision.request), remaining: decision.remaining };
      case "apply":
        return carryOutApproved(this.#o, withFields(decision.request), user);
    }
  }

  /** Whether `user` may decide for the namespace (Argo's Abort): an approver under the policy. */
  mayDecide(namespace: string, user: string) {
    const rules = policyFor(this.#o.policy, namespace);
    return this.#o.permissions.mayApprove(rules, namespace, user, { requestedBy: "", approvals: [] });
  }

  /**
   * Closes as stale the pending requests of one kind that `gone` says no longer apply; a compare-and-set on each,
   * so a request approved meanwhile is left to its approver. Returns how many it closed.
   */
  async closeStale(
    releaseId: string,
    gate: GateKind,
    gone: (request: GateRequest) => boolean,
    why: string,
  ): Promise<number> {
    const candidates = gateRequestsOf(this.#o.store, releaseId).filter(
      (r) => r.gate === gate && r.state === "pending" && gone(r),
    );
    if (candidates.length === 0) return 0;
    const now = this.#o.clock().toISOString();
    const closed = await this.#o.store.update((d) => {
      const ids: string[] = [];
      for (const candidate of candidates) {
        const record = d.approvals[candidate.id];
        if (record?.state !== "pending") continue;
        Object.assign(record, { state: "stale", outcome: why, decidedAt: now });
        ids.push(candidate.id);
      }
      return ids;
    });
    for (const request of candidates.filter((c) => closed.includes(c.id)))
      await this.#o.audit.append({
        kind: "stale",
        job: request.jobName,
        namespace: request.namespace,
        detail: { requestId: request.id, controller: request.controller, gate, reason: why },
      });
    return closed.length;
  }

  /** Closes the release's pending requests before an abort is written (they close with it). */
  aborting(release: GatedRelease, user: string): Promise<void> {
    return rejectForAbort(this.#o, release, user);
  }

  /** Records an abort the controller was just told about: the release is done, the card says so. */
  aborted(release: GatedRelease, user: string, written: string): Promise<void> {
    return closeOnAbort(this.#o, release, user, written);
  }

  mayApprove(request: GateRequest, user: string) {
    const rules = policyFor(this.#o.policy, request.namespace);
    return this.#o.permissions.mayApprove(rules, request.namespace, user, request);
  }

  /** Redraws the cards of requests the expiry sweep just closed. */
  async expired(requests: ApprovalRequest[]): Promise<void> {
    const releases = new Set<string>();
    for (const r of requests) {
      const request = this.request(r.id);
      if (request) releases.add(request.releaseId);
    }
    for (const id of releases) await this.#o.cards.redraw(id);
  }

  #release(id: string): GatedRelease {
    const release = this.#o.releases.get(id);
    if (!release) throw new UserFacingError("not-found", "That release is no longer tracked by Graydesk.");
    if (release.done) throw new UserFacingError("not-allowed", `That release is already ${release.done}.`);
    return release;
  }
}
