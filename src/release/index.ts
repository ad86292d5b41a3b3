// The release domain's public face: plain data in, plain data out. No I/O anywhere in this folder.
export { changed } from "./changed.ts";
export { containerOntoRunning } from "./container-onto-running.ts";
export type * from "./container-settings.ts";
export { splitCommaList } from "./container-settings.ts";
export { mibOf, settingsOfContainer, settingsOfPod } from "./container-settings-of.ts";
export { containerSpec, HOST_TIME_PATH, HOST_TIME_VOLUME } from "./container-spec.ts";
export type { NewVersionTarget } from "./deployment.ts";
export {
  deriveNewVersionDeployment,
  JOB_LABEL,
  MANAGED_BY,
  newVersionDeploymentName,
  newVersionPodSpec,
  VERSION_LABEL,
} from "./deployment.ts";
export type { FieldError, ReleaseErrorCode } from "./errors.ts";
export { assertNoFieldErrors, ReleaseError, UserFacingError, userMessageOf, userTextOf } from "./errors.ts";
export { codeBlock, escapeText, plainText } from "./escape.ts";
export { portsOfImage, withImagePorts } from "./image-ports.ts";
export {
  DOCKER_HUB,
  type ImageQuery,
  imageReference,
  orderTags,
  readImageQuery,
  repositoryOf,
} from "./image-query.ts";
export type * from "./job.ts";
export {
  initialTraffic,
  jobScope,
  jobVersions,
  POLICY_KINDS,
  ROUTER_KINDS,
  splitScope,
  withScope,
} from "./job.ts";
export { newVersionProposal } from "./new-version-proposal.ts";
export type { ObjectRef, Plan, PlanStep, Precondition, StepAction } from "./plan.ts";
export { canonicalJson, makePlan, orderSteps, planHash, refOf } from "./plan.ts";
export { DIFF_LIMIT, renderDiff } from "./plan-diff.ts";
export type { NewVersionGuard, PodGuardInput, PodSecurityLevel } from "./pod-guard/index.ts";
export {
  ENFORCE_LABEL,
  guardNewVersionSettings,
  guardPodSpec,
  imageLocation,
  newSecretReferences,
  normalRegistryEntry,
  PULL_SECRET_TYPES,
  podSecurityLevel,
  registryAllowed,
  registryOf,
  SERVICE_ACCOUNT_TOKEN,
  secretReferences,
} from "./pod-guard/index.ts";
export { cpuMillicores, cpuQuantity, memoryQuantity } from "./quantities.ts";
export * from "./routing/index.ts";
export type { TrafficSplitView } from "./split-view.ts";
export { describeRule, splitView, summarize } from "./split-view.ts";
export { stableVersionOf } from "./stable.ts";
export type { JobOperation, JobTransitionEvent, Verdict } from "./states.ts";
export { canDo, TERMINAL_STATES, TRANSITIONS, transition } from "./states.ts";
export { byText } from "./text-order.ts";
export * from "./validate/index.ts";
