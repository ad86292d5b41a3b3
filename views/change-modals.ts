import type { KnownBlock, ModalView } from "@slack/types";
import type { ReleaseJob } from "../src/release/index.ts";
import { jobVersions } from "../src/release/index.ts";
import { codeBlock } from "./escape.ts";
import { ids } from "./ids.ts";
import { trafficLines } from "./traffic-text.ts";

/** What a change modal carries from the card to its submission handler. */
export interface ChangeModalMeta {
  jobId: string;
  channel?: string;
}

export function readChangeMeta(text: string): ChangeModalMeta | undefined {
  try {
    const meta = JSON.parse(text) as Partial<ChangeModalMeta>;
    return typeof meta.jobId === "string" ? (meta as ChangeModalMeta) : undefined;
  } catch {
    return undefined;
  }
}

const EXAMPLES: Record<ReleaseJob["strategy"], string> = {
  canary:
    "`20` (percent to the new version) · `v1=80 v2=20` · `header:x-canary=always` · `cookie:user^=test` · `uri^=/api` · `os:android,ios`",
  mirror: "`mirror=30` (copy 30 % of traffic to the new version)",
  "blue-green": "Blue-green jobs move traffic with Take over.",
};

/** The Shift… modal: the same words `/release shift` takes, prefilled with the job's current split. */
export function buildShiftModal(job: ReleaseJob, meta: ChangeModalMeta): ModalView {
  const current =
    job.traffic.kind === "weights" ? String(job.traffic.weights[job.newVersion.version] ?? 0) : "";
  const initial = job.traffic.kind === "mirror" ? `mirror=${job.traffic.percent}` : current;
  return {
    type: "modal",
    callback_id: ids.shiftModal.callback,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: "Shift traffic" },
    submit: { type: "plain_text", text: "Ask for approval" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      currentSplit(job),
      {
        type: "input",
        block_id: ids.shiftModal.block,
        label: { type: "plain_text", text: `New traffic for ${job.name}`.slice(0, 2000) },
        hint: { type: "plain_text", text: EXAMPLES[job.strategy].replaceAll("`", "").slice(0, 2000) },
        element: {
          type: "plain_text_input",
          action_id: ids.shiftModal.input,
          ...(initial ? { initial_value: initial } : {}),
          placeholder: { type: "plain_text", text: "20" },
          max_length: 1000,
        },
      },
    ],
  };
}

/** The Take over… modal: which version gets all traffic. */
export function buildTakeOverModal(job: ReleaseJob, meta: ChangeModalMeta): ModalView {
  const options = jobVersions(job).map((v) => ({
    text: { type: "plain_text" as const, text: v === job.stableVersion ? `${v} (stable)` : `${v} (new)` },
    value: v,
  }));
  return {
    type: "modal",
    callback_id: ids.takeOverModal.callback,
    private_metadata: JSON.stringify(meta),
    title: { type: "plain_text", text: "Take over" },
    submit: { type: "plain_text", text: "Ask for approval" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      currentSplit(job),
      {
        type: "input",
        block_id: ids.takeOverModal.block,
        label: { type: "plain_text", text: "Version that takes over all traffic" },
        element: {
          type: "static_select",
          action_id: ids.takeOverModal.input,
          options,
          ...(options[1] ? { initial_option: options[1] } : {}),
        },
      },
    ],
  };
}

function currentSplit(job: ReleaseJob): KnownBlock {
  return {
    type: "section",
    block_id: ids.jobCard.split,
    text: { type: "mrkdwn", text: `*Now:*\n${codeBlock(trafficLines(job, job.traffic).join("\n"))}` },
  };
}
