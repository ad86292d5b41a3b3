import type { App } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import type { SlackDeps } from "../deps.ts";
import { decodeListCursor, jobListPage } from "./job-list-page.ts";
import { onButton } from "./on-action.ts";

/** `/release list`'s More button: the next page, judged again with the viewer's rights of now. */
export function registerListActions(app: App, deps: SlackDeps): void {
  onButton(app, deps, ids.jobList.more, async (call) => {
    const cursor = decodeListCursor(call.value);
    if (cursor.namespace !== undefined)
      await deps.authorizer.require(call.actor, "jobs.list", cursor.namespace);
    await call.answer(await jobListPage(deps, call.actor, cursor.namespace, cursor.after));
  });
}
