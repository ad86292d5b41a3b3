import { UserFacingError, userTextOf } from "../release/index.ts";
import type { GateDecision, GateDeskOptions } from "./gate-desk.ts";
import { type GateRequest, gateRequestsOf } from "./gate-requests.ts";
import type { GatedRelease } from "./types.ts";

/**
 * What follows a decision: carrying out an approved request (only the caller the gate handed it to gets here, so
 * once per request) and closing a Rollout's requests when it is aborted.
 */
export async function carryOutApproved(
  o: GateDeskOptions,
  request: GateRequest,
  user: string,
): Promise<GateDecision> {
  const about = { job: request.jobName, namespace: request.namespace };
  const run = o.carryOut[request.controller];
  try {
    const outcome = run
      ? await run(request)
      : `${request.controller === "flagger" ? "Flagger" : "the controller"} may go on`;
    const finished = (await o.gate.finish(request.id, "applied", outcome)) ?? request;
    await o.audit.append({
      kind: "applied",
      actor: user,
      ...about,
      detail: {
        requestId: request.id,
        controller: request.controller,
        gate: request.gate,
        outcome,
        requestedBy: request.requestedBy,
      },
    });
    await o.cards.redraw(request.releaseId);
    return { kind: "done", request: { ...request, ...finished } };
  } catch (error) {
    const stale = error instanceof UserFacingError && error.code === "stale-plan";
    // Plain text, as the request's outcome is kept: its card escapes it when it shows it.
    const reason = userTextOf(error) ?? "Graydesk could not carry it out; the details are in its log.";
    if (!userTextOf(error)) o.logger.error({ err: error, request: request.id }, "gate action failed");
    const finished = (await o.gate.finish(request.id, stale ? "stale" : "failed", reason)) ?? request;
    await o.audit.append({
      kind: "failed",
      actor: user,
      ...about,
      detail: {
        requestId: request.id,
        controller: request.controller,
        gate: request.gate,
        reason,
        ...(stale ? { stale: true } : {}),
      },
    });
    await o.cards.redraw(request.releaseId);
    const closed = { ...request, ...finished };
    return stale ? { kind: "stale", request: closed, reason } : { kind: "failed", request: closed, reason };
  }
}

/** Records an abort the controller was just told about: pending requests close with it, the card says so. */
/**
 * Before an abort is written: the release's pending requests close with it (rejected, "closed by Abort"). Done
 * first, so a watcher that sees the abort's own write finds nothing pending to call stale.
 */
export async function rejectForAbort(o: GateDeskOptions, release: GatedRelease, user: string): Promise<void> {
  for (const request of gateRequestsOf(o.store, release.id)) {
    if (request.state !== "pending") continue;
    const decision = await o.gate.decide(request.id, user, "reject");
    if (decision.kind !== "rejected") continue;
    await o.store.update((d) => {
      const record = d.approvals[request.id];
      if (record) record.outcome = "closed by Abort";
    });
  }
}

/** After the abort was written: the release is done, the audit trail and the card say so. */
export async function closeOnAbort(
  o: GateDeskOptions,
  release: GatedRelease,
  user: string,
  written: string,
): Promise<void> {
  await o.releases.save({ ...release, done: "aborted", updatedAt: o.clock().toISOString() });
  await o.audit.append({
    kind: "aborted",
    actor: user,
    job: release.name,
    namespace: release.namespace,
    detail: { controller: release.controller, release: release.id, written },
  });
  await o.cards.redraw(release.id);
}
