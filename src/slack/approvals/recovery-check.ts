import type { Authorizer } from "../../approvals/index.ts";
import type { RecoveryCheck } from "../../desk/index.ts";

/**
 * Start-up recovery finishes an interrupted plan only while the people behind it still hold the rights today's
 * policy asks for: whoever asked (to create the job, or to request the change) and everyone who approved it.
 */
export function recoveryCheck(authorizer: Pick<Authorizer, "authorize">): RecoveryCheck {
  return async ({ job, change, requestedBy, approvedBy }) => {
    const asked = await authorizer.authorize(
      { user: requestedBy },
      change === "prepare" ? "job.create" : "change.request",
      job.namespace,
      job.cluster,
    );
    if (!asked.ok) return { ok: false, message: `${requestedBy}, who asked for it, ${lacks(asked.message)}` };
    for (const user of approvedBy) {
      const approved = await authorizer.authorize({ user }, "change.decide", job.namespace, job.cluster);
      if (!approved.ok) return { ok: false, message: `${user}, who approved it, ${lacks(approved.message)}` };
    }
    return { ok: true };
  };
}

/** The refusal said of someone else: "You need the *request* right…" → "no longer holds it: needs the…". */
function lacks(message: string): string {
  return `no longer holds the right it needs: ${message.replace(/^You need/, "they need")}`;
}
