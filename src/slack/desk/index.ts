import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps.ts";
import { registerLiveActions } from "../live/actions.ts";
import { registerApprovalActions } from "./approval-actions.ts";
import { registerCardActions } from "./card-actions.ts";
import { registerChangeSubmissions } from "./change-submissions.ts";
import { registerHome } from "./home.ts";
import { registerListActions } from "./list-actions.ts";
import { registerRejectSubmission } from "./reject-submission.ts";
import { registerUnknownActions } from "./unknown-actions.ts";

export { answerFor } from "./approval-actions.ts";
export { homeData } from "./home.ts";
export { encodeListCursor } from "./job-list-page.ts";
export { knownIds } from "./unknown-actions.ts";

/** The desk's listeners: job card buttons and modals, approvals, App Home. */
export function registerDesk(app: App, deps: SlackDeps): void {
  registerCardActions(app, deps);
  registerChangeSubmissions(app, deps);
  registerApprovalActions(app, deps);
  registerRejectSubmission(app, deps);
  registerHome(app, deps);
  registerListActions(app, deps);
  registerLiveActions(app, deps);
  // Last: it only answers action ids no listener above is registered for.
  registerUnknownActions(app, deps);
}
