import type { ModalView } from "@slack/types";
import { type ApprovalRequest, REASON_MAX } from "../src/approvals/index.ts";
import { escapeText } from "./escape.ts";
import { ids } from "./ids.ts";

/** What the Reject dialog carries to its submission: the request, and where the button was pressed. */
export interface RejectMeta {
  requestId: string;
  channel?: string;
  /** Opened from App Home: Home is drawn again once the request is decided. */
  home?: boolean;
}

export function readRejectMeta(text: string | undefined): RejectMeta | undefined {
  try {
    const meta = JSON.parse(text ?? "") as Partial<RejectMeta>;
    if (typeof meta.requestId !== "string") return undefined;
    return {
      requestId: meta.requestId,
      ...(typeof meta.channel === "string" ? { channel: meta.channel } : {}),
      ...(meta.home === true ? { home: true } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The Reject dialog: what is being rejected, and a reason. The reason is required when an approver rejects
 * (the requester must learn what to change) and optional when the requester withdraws their own request.
 */
export function buildRejectModal(
  request: ApprovalRequest,
  options: { withdraw: boolean; channel?: string; home?: boolean },
): ModalView {
  const meta: RejectMeta = {
    requestId: request.id,
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.home ? { home: true } : {}),
  };
  const what = `*${escapeText(request.operation)}* on *${escapeText(`${request.namespace}/${request.jobName}`)}*`;
  const about = options.withdraw
    ? `You asked to ${what}. Withdrawing it changes nothing in the cluster.`
    : `<@${request.requestedBy}> asks to ${what}. Rejecting it changes nothing in the cluster; the reason is shown in the job's thread.`;
  return {
    type: "modal",
    callback_id: ids.rejectModal.callback,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: options.withdraw ? "Withdraw request" : "Reject change" },
    submit: { type: "plain_text", text: options.withdraw ? "Withdraw" : "Reject" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        block_id: ids.rejectModal.about,
        text: { type: "mrkdwn", text: `${about}\n>${escapeText(request.summary)}`.slice(0, 3000) },
      },
      {
        type: "input",
        block_id: ids.rejectModal.reason,
        optional: options.withdraw,
        label: {
          type: "plain_text",
          text: options.withdraw ? "Why withdraw it? (optional)" : "Why reject it?",
        },
        hint: {
          type: "plain_text",
          text: `At most ${REASON_MAX} characters. The requester and everyone in the thread read it.`,
        },
        element: {
          type: "plain_text_input",
          action_id: ids.rejectModal.input,
          multiline: true,
          max_length: REASON_MAX,
          placeholder: { type: "plain_text", text: "e.g. error rate of v2 is still above 1 %" },
        },
      },
    ],
  };
}
