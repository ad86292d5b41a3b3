import type { App, ViewSubmitAction } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import { readRejectMeta } from "../../../views/reject-modal.ts";
import { checkReason } from "../../approvals/index.ts";
import { requestLogger } from "../../log.ts";
import { actorOf } from "../actor.ts";
import type { SlackDeps } from "../deps.ts";
import { replyToError } from "../errors.ts";
import { answerPrivately } from "./answer.ts";
import { answerFor } from "./approval-actions.ts";
import { publishHome } from "./home.ts";

/**
 * The Reject dialog's submission. The reason is checked before ack() (pure, so mistakes show under the field);
 * the decision is the same compare-and-set as any other, so a double submit or two rejecters at once decide
 * once. Who may reject is decided there too: a forged submission is refused like a forged press.
 */
export function registerRejectSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(ids.rejectModal.callback, async ({ ack, body, view, client }) => {
    const meta = readRejectMeta(view.private_metadata);
    const request = meta ? deps.approvals.gate.get(meta.requestId) : undefined;
    if (!meta || !request) {
      await ack({
        response_action: "errors",
        errors: { [ids.rejectModal.reason]: "This request no longer exists; close the dialog." },
      });
      return;
    }
    const user = body.user.id;
    const value = view.state?.values?.[ids.rejectModal.reason]?.[ids.rejectModal.input]?.value;
    const checked = checkReason(value, user !== request.requestedBy);
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: { [ids.rejectModal.reason]: checked.problem } });
      return;
    }
    await ack();
    const logger = requestLogger(deps.logger, { team: body.team?.id, user, kind: "view" });
    const answer = answerPrivately(client, { user, ...(meta.channel ? { channel: meta.channel } : {}) });
    const work = (async () => {
      const result = await deps.approvals.decide({
        requestId: meta.requestId,
        actor: actorOf(body),
        choice: "reject",
        ...(checked.reason ? { reason: checked.reason } : {}),
      });
      if (meta.home) await publishHome(deps, client, actorOf(body));
      // The same person's second submit of the same rejection has nothing new to say.
      if (
        result.kind === "already" &&
        result.request.decidedBy === user &&
        result.request.state === "rejected"
      )
        return;
      const reply = answerFor(result, user);
      if (reply) await answer(reply);
    })().catch((error) => replyToError(error, logger, answer));
    await deps.inFlight.track(work);
  });
}
