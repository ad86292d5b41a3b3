import type { DeskContext } from "./context.ts";

/**
 * Closes the approval requests whose plan start-up recovery just completed or reverted. Without this, a
 * request approved before a crash would read "approved" forever while the cluster and the job moved on.
 */
export function closeRecoveredRequests(
  ctx: DeskContext,
  planId: string,
  state: "applied" | "failed",
  outcome: string,
): Promise<void> {
  return ctx.store.update((draft) => {
    for (const stored of Object.values(draft.approvals)) {
      const request = stored as { planId?: unknown; state?: unknown; outcome?: unknown };
      if (request.planId === planId && request.state === "approved")
        Object.assign(request, { state, outcome });
    }
  });
}

/**
 * A request approved just before a crash, whose plan never started applying: nothing reached the cluster,
 * so it is refused cleanly (the requester asks again) rather than left "approved" with no one applying it.
 * A replica that is applying it after all still records "applied" when it finishes.
 */
export function refuseUnstartedRequests(ctx: DeskContext): Promise<void> {
  return ctx.store.update((draft) => {
    for (const stored of Object.values(draft.approvals)) {
      const request = stored as { planId?: unknown; state?: unknown };
      if (request.state !== "approved") continue;
      const plan = draft.plans[String(request.planId)] as { status?: unknown } | undefined;
      if (plan?.status === "applying" || plan?.status === "applied") continue;
      Object.assign(request, {
        state: "failed",
        outcome: "interrupted by a restart before anything was applied; nothing changed, ask again",
      });
    }
  });
}
