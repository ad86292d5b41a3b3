import type { ModalView } from "@slack/types";
import { buildBasicStep, parseBasicStep, readBasicStep } from "./basic-step.ts";
import { buildServiceStep, parseServiceStep, readServiceStep } from "./service-step.ts";
import type { WizardState, WizardStep } from "./state.ts";
import { buildStrategyStep, parseStrategyStep, readStrategyStep } from "./strategy-step.ts";
import { buildTypeStep, parseTypeStep, readTypeStep } from "./type-step.ts";
import type { StateValues } from "./values.ts";
import { buildVersionStep, parseVersionStep, readVersionStep } from "./version-step.ts";

type Parsed = { state: WizardState; errors: Record<string, string> };

/** Each tab's builder, its reader (no checks, for Back and redraws) and its parser (reader + checks). */
const STEP_VIEWS: Record<
  WizardStep,
  {
    build(state: WizardState): ModalView;
    read(values: StateValues, state: WizardState): WizardState;
    parse(values: StateValues, state: WizardState): Parsed;
  }
> = {
  type: { build: buildTypeStep, read: readTypeStep, parse: parseTypeStep },
  basic: { build: buildBasicStep, read: readBasicStep, parse: parseBasicStep },
  service: { build: buildServiceStep, read: readServiceStep, parse: parseServiceStep },
  version: { build: buildVersionStep, read: readVersionStep, parse: (v, s) => parseVersionStep(v, s) },
  strategy: { build: buildStrategyStep, read: readStrategyStep, parse: parseStrategyStep },
};

export const buildStep = (state: WizardState): ModalView => STEP_VIEWS[state.step].build(state);
export const readStep = (values: StateValues, state: WizardState): WizardState =>
  STEP_VIEWS[state.step].read(values, state);
export const parseStep = (values: StateValues, state: WizardState): Parsed =>
  STEP_VIEWS[state.step].parse(values, state);
