import type { KnownBlock, ModalView } from "@slack/types";
import type { FieldError } from "../../src/release/index.ts";
import { escapeText } from "../escape.ts";
import { ids } from "../ids.ts";
import { context, plain, section } from "./blocks.ts";
import { previousStep, STRATEGY_NAMES, stepsOf, type WizardState, type WizardStep } from "./state.ts";

const STEP_NAMES: Record<WizardStep, string> = {
  type: "Release Type",
  basic: "Basic Information",
  service: "Service Settings",
  version: "New Version Settings",
  strategy: "Strategy Settings",
};

const TITLES = {
  "blue-green": "New blue-green release",
  canary: "New canary release",
  mirror: "New mirroring release",
};

/** Wraps one step's blocks in the wizard modal: progress line on top, Back under the fields, Next/Create. */
export function wizardModal(state: WizardState, blocks: KnownBlock[]): ModalView {
  const steps = stepsOf(state);
  const at = steps.indexOf(state.step);
  const last = at === steps.length - 1;
  const back = previousStep(state);
  const progress = `*Step ${at + 1} of ${steps.length} · ${STEP_NAMES[state.step]}*${
    state.strategy ? ` — ${STRATEGY_NAMES[state.strategy]}` : ""
  }`;
  return {
    type: "modal",
    callback_id: ids.wizard.callback,
    title: plain(state.strategy ? TITLES[state.strategy] : "New release"),
    submit: plain(last ? "Create" : "Next"),
    close: plain("Cancel"),
    notify_on_close: true,
    private_metadata: encodeState(state),
    blocks: [
      context(ids.wizard.progress, progress),
      ...(state.notice ? [section(ids.wizard.notice, `:warning: ${escapeText(state.notice)}`)] : []),
      ...blocks,
      ...(back
        ? [
            {
              type: "actions",
              block_id: ids.wizard.nav,
              elements: [
                {
                  type: "button",
                  action_id: ids.wizard.back,
                  text: plain(`◀ Back to ${STEP_NAMES[back]}`),
                  value: back,
                },
              ],
            } satisfies KnownBlock,
          ]
        : []),
    ],
  };
}

/** The wizard state as private_metadata: compact JSON (drafts take over when it outgrows Slack's 3000). */
export function encodeState(state: WizardState): string {
  return JSON.stringify(state);
}

export function decodeState(metadata: string | undefined): WizardState | undefined {
  if (!metadata) return undefined;
  try {
    const parsed = JSON.parse(metadata) as unknown;
    if (parsed && typeof parsed === "object" && "step" in parsed && "channel" in parsed)
      return parsed as WizardState;
  } catch {
    // Not the wizard's metadata: callers treat undefined as "the wizard expired".
  }
  return undefined;
}

/**
 * Domain field errors as Slack's `{ block_id: message }`. `blockOf` says which block shows a field; fields
 * it does not know land on `fallback` (with their own words), and a block shows its first problem only.
 */
export function blockErrors(
  errors: FieldError[],
  blockOf: (field: string) => string | undefined,
  fallback: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) {
    const block = blockOf(error.field) ?? fallback;
    out[block] ??= error.message;
  }
  return out;
}
