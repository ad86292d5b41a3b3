import type {
  createSlackClient,
  OpenView,
  SlackApiServer,
  StoredMessage,
} from "../../harness/slack/index.ts";
import { until } from "./world.ts";

/** Presses Reject on an approval message as `user` and returns the reason dialog it opened for them. */
export async function openRejectDialog(
  api: SlackApiServer,
  slack: ReturnType<typeof createSlackClient>,
  message: StoredMessage,
  user: { id: string; name: string },
  timeoutMs = 10_000,
): Promise<OpenView> {
  const before = api.views().length;
  await slack.clickButton(message, "approval_reject", { user });
  return until(
    () =>
      api
        .views()
        .slice(before)
        .find((v) => v.callback_id === "reject_modal"),
    timeoutMs,
  );
}

/** Submits the reason dialog: the rejection is decided on this submit. */
export const submitRejection = (
  slack: ReturnType<typeof createSlackClient>,
  dialog: OpenView,
  user: { id: string; name: string },
  reason = "not during the release freeze",
) => slack.submitView(dialog, { reject_reason: { reject_reason_value: reason } }, { user });
