export { type BypassRoute, bypassNotice } from "./bypass.ts";
export type { IngressBinding } from "./gateway.ts";
export { gatewayNotice } from "./gateway.ts";
export {
  desiredHttpRoute,
  desiredVersionService,
  gatewaysOnly,
  routesService,
  versionServiceName,
} from "./gateway-api.ts";
export { matchNotes, readRouteMatch, routeMatch } from "./gateway-api-match.ts";
export { readHttpRoute } from "./gateway-api-read.ts";
export type * from "./gateway-api-types.ts";
export { GATEWAY_API_VERSION } from "./gateway-api-types.ts";
export {
  desiredDestinationRule,
  desiredVirtualService,
  ISTIO_API_VERSION,
  jobRoutes,
  policyFromRoutes,
  readSplit,
  routedPort,
  routeName,
} from "./istio.ts";
export { cookieRegex, matchRequest, readMatchRequest } from "./istio-match.ts";
export type * from "./istio-types.ts";
export type {
  KubeSphereFlavour,
  StrategyObject,
  StrategyPolicy,
  StrategyType,
  StrategyView,
} from "./kubesphere.ts";
export { desiredStrategy, overExisting, readStrategy, STRATEGY_API_VERSION } from "./kubesphere.ts";
export type { ReplicaSizing, ReplicaSplit } from "./replicas.ts";
export { replicaSplit } from "./replicas.ts";
export { OS_TOKENS, osUserAgentMatch, userAgentMatches } from "./user-agent.ts";
