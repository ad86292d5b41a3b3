export { validateContainer, validateContainers } from "./container.ts";
export type { NamespaceData } from "./env.ts";
export { validateEnv, validateEnvFrom, validateMounts } from "./env.ts";
export { validateAction, validateProbe } from "./handlers.ts";
export { validateImage } from "./image.ts";
export {
  isPortName,
  MAX_CONTAINER_NAME,
  MAX_JOB_NAME,
  MAX_PORT_NAME,
  MAX_VERSION,
  validateContainerName,
  validateJobName,
  validateVersionNumber,
} from "./names.ts";
export type { NewVersionContext } from "./new-version.ts";
export { MAX_REPLICAS, validateNewVersion, validateReplicas } from "./new-version.ts";
export { isPortNumber, PORT_PROTOCOLS, validatePort, validatePortList } from "./ports.ts";
export { re2Problem } from "./regex.ts";
export { validateResources } from "./resources.ts";
export { validateSecurity } from "./security.ts";
export type { AppChoice } from "./service.ts";
export { appKind, validateServiceChoice } from "./service.ts";
export type { StrategyContext } from "./strategy.ts";
export { CLIENT_OSES, validateMatchRules, validateTrafficPolicy } from "./strategy.ts";
