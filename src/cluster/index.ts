// The only code that talks to the Kubernetes API: discovery, routers that compute plans, and apply.

export { WrittenObjects } from "./after-writes.ts";
export {
  AlreadyExists,
  type ApplyDeps,
  checkedByDryRun,
  checkPreconditions,
  describeStep,
  dryRunPlan,
  Interrupted,
  runSteps,
  type StepResult,
} from "./apply.ts";
export { bypassingRoutes } from "./bypass.ts";
export { type Capabilities, gatewayFeaturesOf, readCapabilities } from "./capabilities.ts";
export { ClusterClient, ClusterError, describeRef, FIELD_MANAGER } from "./client.ts";
export {
  APP_NAME_LABEL,
  type DiscoveredApp,
  type DiscoveredService,
  Discovery,
  PULL_SECRET_TYPE,
  routersFor,
} from "./discovery.ts";
export { type GatewayRoute, gatewayRoutesOf, gatewaysByService, ingressBinding } from "./gateways.ts";
export {
  closeJournal,
  Journal,
  type JournalEntry,
  journalEntries,
  openJournal,
  TakenOver,
} from "./journal.ts";
export { KnownLists, REMEMBERED_LISTS } from "./known-lists.ts";
export { KnownObjects, REMEMBERED_OBJECTS } from "./known-objects.ts";
export { type Kube, type KubeObject, type MemoReads, memoReads, roundReads, withDeadline } from "./kube.ts";
export { mergePatchOf } from "./merge-patch.ts";
export { type PodGuardFacts, podGuardFacts } from "./pod-guard-facts.ts";
export { pullSecretConfig } from "./pull-secret.ts";
export { RARELY_CHANGING, ReadCache, type ReadCacheOptions } from "./read-cache.ts";
export { type Resumed, resumePlan } from "./resume.ts";
export { type RolloutObject, RolloutsClient } from "./rollouts.ts";
export * from "./routers/index.ts";
export { isReady, type WaitReadyOptions, waitReady } from "./wait-ready.ts";
export { type DeployedVersion, deploymentRef, versionDeployments, versionsOf } from "./workloads.ts";
