import type { StoreData } from "../store/index.ts";
import { type DeskContext, freshWord } from "./context.ts";

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
 * With state shared by replicas, one decided less than a stale word ago may be starting on another replica
 * right now: it is left, and a later sweep (tendJournal) refuses it if it is still unstarted then.
 */
export async function refuseUnstartedRequests(ctx: DeskContext): Promise<void> {
  const unstarted = (data: Readonly<StoreData>, stored: unknown) => {
    const request = stored as {
      planId?: unknown;
      state?: unknown;
      decidedAt?: unknown;
      approvals?: { at?: unknown }[];
    };
    if (request.state !== "approved") return false;
    const plan = data.plans[String(request.planId)] as { status?: unknown } | undefined;
    if (plan?.status === "applying" || plan?.status === "applied") return false;
    const when = request.decidedAt ?? request.approvals?.at(-1)?.at;
    return !freshWord(ctx, typeof when === "string" ? when : undefined);
  };
  const data = ctx.store.data();
  if (!Object.values(data.approvals).some((request) => unstarted(data, request))) return;
  await ctx.store.update((draft) => {
    for (const request of Object.values(draft.approvals)) {
      if (!unstarted(draft, request)) continue;
      Object.assign(request as object, {
        state: "failed",
        outcome: "interrupted by a restart before anything was applied; nothing changed, ask again",
      });
    }
  });
}
