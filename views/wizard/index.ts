// The `/release new` wizard: one builder and one parser per tab, plus the pushed container forms.
export { buildAdvancedStep, parseAdvancedStep } from "./advanced-step.ts";
export { buildBasicStep, parseBasicStep } from "./basic-step.ts";
export {
  buildContainerStep,
  type ContainerFormLook,
  parseContainerStep,
  parsePorts,
  readContainerStep,
} from "./container-step.ts";
export {
  defaultPortsBlocks,
  imageOptions,
  NOTE,
  pullSecretOptions,
  readImage,
  readPullSecret,
} from "./image-blocks.ts";
export { backToRefusedField, createJobInput, stepOfField } from "./job-input.ts";
export { blockErrors, decodeState, encodeState } from "./modal.ts";
export { buildWizardOutcome } from "./outcome.ts";
export { namespaceOptions, serviceOptions, stableInfoOf } from "./service-options.ts";
export { buildServiceStep, parseServiceStep, parseServiceValue } from "./service-step.ts";
export type { ConditionRow, StableInfo, StrategyForm, WizardState, WizardStep } from "./state.ts";
export { newWizard, nextStep, previousStep, STRATEGY_NAMES, stableVersion, stepsOf } from "./state.ts";
export { buildStep, parseStep, readStep } from "./steps.ts";
export {
  blankRow,
  buildStrategyStep,
  matchRules,
  parseStrategyStep,
  requestedTraffic,
  strategyErrors,
} from "./strategy-step.ts";
export { decodeSubForm, type SubFormMeta } from "./sub-form.ts";
export { buildTypeStep, parseTypeStep } from "./type-step.ts";
export type { StateValues } from "./values.ts";
export { buildVersionStep, containersChange, parseVersionStep, versionErrors } from "./version-step.ts";
