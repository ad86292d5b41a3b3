import type { ModalView } from "@slack/types";
import { MAX_JOB_NAME, validateJobName } from "../../src/release/index.ts";
import { ids } from "../ids.ts";
import { textInput } from "./blocks.ts";
import { blockErrors, wizardModal } from "./modal.ts";
import type { WizardState } from "./state.ts";
import { readText, type StateValues } from "./values.ts";

/** Basic Information: the job's name. */
export function buildBasicStep(state: WizardState): ModalView {
  return wizardModal(state, [
    textInput(ids.wizard.name, "Job name", {
      ...(state.name ? { initial: state.name } : {}),
      placeholder: "reviews-canary",
      max: MAX_JOB_NAME,
      hint: "Lowercase letters, digits and hyphens, starting and ending with a letter or digit (up to 253).",
    }),
  ]);
}

export function readBasicStep(values: StateValues, state: WizardState): WizardState {
  return { ...state, name: readText(values, ids.wizard.name) };
}

export function parseBasicStep(
  values: StateValues,
  state: WizardState,
): { state: WizardState; errors: Record<string, string> } {
  const next = readBasicStep(values, state);
  const errors = validateJobName(next.name ?? "");
  return { state: next, errors: blockErrors(errors, () => ids.wizard.name, ids.wizard.name) };
}
