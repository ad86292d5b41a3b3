import type {
  GatewayApiFeatures,
  IngressBinding,
  KubeSphereFlavour,
  ReleaseJob,
  RouterKind,
} from "../../release/index.ts";
import { ReleaseError } from "../../release/index.ts";
import type { Kube } from "../kube.ts";
import { gatewayApiRouter } from "./gateway-api.ts";
import { istioRouter } from "./istio.ts";
import { kubesphereRouter } from "./kubesphere.ts";
import { replicasRouter } from "./replicas.ts";
import type { TrafficRouter } from "./types.ts";

export { currentPolicy, gaining, hasOriginals, hasRouted } from "./steps.ts";
export type { PlanPart, TrafficRouter } from "./types.ts";
export { emptyPart, joinParts, refKey } from "./types.ts";

export interface RouterOptions {
  kube: Kube;
  /** Needed by the KubeSphere router: which Strategy schema the cluster serves. */
  flavour?: KubeSphereFlavour;
  /** Needed by the Gateway API router: what the cluster's HTTPRoute schema can express. */
  gatewayApi?: GatewayApiFeatures;
  ingress?: (job: ReleaseJob) => Promise<IngressBinding | undefined>;
}

/** The router for a job's kind. An unknown kind is an error, never a silent fallback. */
export function routerFor(kind: RouterKind, options: RouterOptions): TrafficRouter {
  switch (kind) {
    case "istio":
      return istioRouter({ kube: options.kube, ...(options.ingress ? { ingress: options.ingress } : {}) });
    case "kubesphere":
      if (!options.flavour) {
        throw new ReleaseError(
          "unsupported",
          "This cluster does not serve KubeSphere's Strategy; choose another router.",
        );
      }
      return kubesphereRouter({ kube: options.kube, flavour: options.flavour });
    case "replicas":
      return replicasRouter({ kube: options.kube });
    case "gateway-api":
      if (!options.gatewayApi) {
        throw new ReleaseError(
          "unsupported",
          "This cluster does not serve Gateway API's HTTPRoute at v1; choose another router.",
        );
      }
      return gatewayApiRouter({ kube: options.kube, features: options.gatewayApi });
    default:
      return unknownRouter(kind);
  }
}

function unknownRouter(kind: never): never {
  throw new ReleaseError("unsupported", `There is no traffic router called ${String(kind)}.`);
}
