import type { ModalView } from "@slack/types";
import type { ReleaseStrategy } from "../../src/release/index.ts";
import { ids } from "../ids.ts";
import { option, radioInput } from "./blocks.ts";
import { wizardModal } from "./modal.ts";
import { STRATEGY_NAMES, type WizardState } from "./state.ts";
import { readOption, type StateValues } from "./values.ts";

const DESCRIPTIONS: Record<ReleaseStrategy, string> = {
  "blue-green": "Run the new version beside the old one, then switch all traffic to either.",
  canary: "Send a share of traffic, or requests that match conditions, to the new version.",
  mirror: "Copy live traffic to the new version for testing; users only see the old one.",
};

const STRATEGIES = Object.keys(STRATEGY_NAMES) as ReleaseStrategy[];

/** The first tab when `/release new` came without a strategy: which kind of grayscale release. */
export function buildTypeStep(state: WizardState): ModalView {
  const options = STRATEGIES.map((s) => option(s, STRATEGY_NAMES[s], DESCRIPTIONS[s]));
  return wizardModal(state, [
    radioInput(ids.wizard.strategy, "Release type", options, {
      ...(state.strategy ? { initial: state.strategy } : {}),
    }),
  ]);
}

export function readTypeStep(values: StateValues, state: WizardState): WizardState {
  const chosen = readOption(values, ids.wizard.strategy);
  return STRATEGIES.includes(chosen as ReleaseStrategy)
    ? { ...state, strategy: chosen as ReleaseStrategy }
    : state;
}

export function parseTypeStep(
  values: StateValues,
  state: WizardState,
): { state: WizardState; errors: Record<string, string> } {
  const next = readTypeStep(values, state);
  return next.strategy
    ? { state: next, errors: {} }
    : { state: next, errors: { [ids.wizard.strategy]: "Choose blue-green, canary or traffic mirroring." } };
}
