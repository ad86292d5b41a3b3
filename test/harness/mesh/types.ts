// The slice of cluster state a sidecar's routing depends on, in the shapes the Kubernetes and Istio APIs use,
// so objects read through client-node can be handed over without translation.

import type { GatewayHttpRoute } from "./http-route.ts";

export type Labels = Record<string, string>;

/** Istio's StringMatch: exactly one of the three is set; `{}` on a header means "present". */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HttpMatchRequest {
  name?: string;
  uri?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  scheme?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  ignoreUriCase?: boolean;
  sourceLabels?: Labels;
  sourceNamespace?: string;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number };
}

export interface HttpRouteDestination {
  destination: Destination;
  weight?: number;
}

export interface HttpMirrorPolicy {
  destination: Destination;
  percentage?: { value?: number };
}

export interface HttpRoute {
  name?: string;
  match?: HttpMatchRequest[];
  route?: HttpRouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value?: number };
  /** Deprecated integer percentage still accepted by v1alpha3 objects. */
  mirrorPercent?: number;
  mirrors?: HttpMirrorPolicy[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  creationTimestamp?: string | Date;
}

export interface VirtualService {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { hosts?: string[]; gateways?: string[]; http?: HttpRoute[] };
}

export interface DestinationRule {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { host: string; subsets?: { name: string; labels?: Labels }[] };
}

export interface MeshServicePort {
  name?: string;
  port: number;
}

export interface MeshService {
  name: string;
  namespace: string;
  selector: Labels;
  ports: MeshServicePort[];
}

/** A ready pod: the only kind a sidecar sends traffic to. */
export interface MeshPod {
  name: string;
  namespace: string;
  labels: Labels;
  /** The owning Deployment's name (`reviews-v2`), which Istio reports as the workload. */
  workload: string;
  serviceAccount: string;
  ip: string;
}

export interface MeshSnapshot {
  services: MeshService[];
  pods: MeshPod[];
  destinationRules: DestinationRule[];
  virtualServices: VirtualService[];
  /** Gateway API HTTPRoutes; those attached to a Service route its requests (see http-route.ts). */
  httpRoutes?: GatewayHttpRoute[];
}

/** The caller: a workload whose sidecar sends the request (productpage-v1 in Bookinfo). */
export interface MeshSource {
  workload: string;
  namespace: string;
  labels: Labels;
  serviceAccount: string;
}

export interface MeshRequest {
  /** The host the caller dials: `reviews`, `reviews.bookinfo` or `reviews.bookinfo.svc.cluster.local`. */
  service: string;
  namespace: string;
  port?: number;
  /** Header names are matched lower-case, as Envoy does. */
  headers?: Record<string, string>;
  uri?: string;
  method?: string;
}

/** Envoy's short response flags for the outcomes the simulator produces. */
export type ResponseFlag = "-" | "UH" | "NR" | "NC";

export interface Upstream {
  service: MeshService;
  pod: MeshPod;
}

export interface RouteDecision {
  /** Set when a pod was chosen; absent when the sidecar answered itself (404 NR, 503 UH/NC). */
  upstream?: Upstream;
  /** Proxy-generated status, when there is no upstream. */
  proxyStatus?: number;
  responseFlags: ResponseFlag;
  /** The service the request was addressed to (for telemetry), when it exists. */
  service?: MeshService;
  subset?: string;
  /** Shadow copies that reached a pod; copies that found no pod are dropped silently, as Envoy does. */
  mirrors: Upstream[];
}
