import type { ModalView } from "@slack/types";
import { ids } from "../ids.ts";
import { plain, section } from "./blocks.ts";

/** Shown while the job is being created, and what happened once it was. */
export function buildWizardOutcome(title: string, text: string, done = false): ModalView {
  return {
    type: "modal",
    callback_id: ids.wizard.working,
    title: plain(title.slice(0, 24)),
    close: plain(done ? "Close" : "Hide"),
    blocks: [section(ids.wizard.working, text)],
  };
}
