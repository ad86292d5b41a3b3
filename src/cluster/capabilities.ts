import type { GatewayApiFeatures, KubeSphereFlavour } from "../release/index.ts";
import { ClusterError } from "./client.ts";
import type { Kube, KubeObject } from "./kube.ts";

/** Which routing APIs the cluster serves, read once from its CustomResourceDefinitions. */
export interface Capabilities {
  istio: boolean;
  /** Set when KubeSphere's Strategy is served; the flavour tells its field casing. */
  kubesphere?: KubeSphereFlavour;
  /** Istio Gateways are served (ingress bindings can be found). */
  istioGateways: boolean;
  /** Set when Gateway API's HTTPRoute is served at v1; the features its schema has. */
  gatewayApi?: GatewayApiFeatures;
}

const STRATEGY_CRD = "strategies.servicemesh.kubesphere.io";
const HTTPROUTE_CRD = "httproutes.gateway.networking.k8s.io";

/**
 * Asks the API server "may I list CRDs?" (a SelfSubjectAccessReview) before listing them. A cluster that
 * forbids it still gets the replica router: a missing mesh only limits what Graydesk offers, it never breaks a
 * release, and asking first leaves no refused request in the cluster's audit log.
 */
export async function readCapabilities(kube: Kube): Promise<Capabilities> {
  if (!(await mayI(kube, "list", "apiextensions.k8s.io", "customresourcedefinitions")))
    return { istio: false, istioGateways: false };
  let crds: KubeObject[];
  try {
    crds = (await kube.list<KubeObject>("apiextensions.k8s.io/v1", "CustomResourceDefinition")).items;
  } catch (error) {
    if (error instanceof ClusterError && error.code === "forbidden")
      return { istio: false, istioGateways: false };
    throw error;
  }
  const served = (name: string) => {
    const crd = crds.find((item) => item.metadata.name === name);
    const versions = (crd?.spec?.versions as { served?: boolean }[] | undefined) ?? [];
    return crd && versions.some((version) => version.served !== false) ? crd : undefined;
  };
  const istio = served("virtualservices.networking.istio.io") !== undefined;
  const strategy = served(STRATEGY_CRD);
  const caps: Capabilities = {
    istio: istio && served("destinationrules.networking.istio.io") !== undefined,
    istioGateways: istio && served("gateways.networking.istio.io") !== undefined,
  };
  if (strategy) caps.kubesphere = flavourOf(strategy);
  const httpRoute = served(HTTPROUTE_CRD);
  const features = httpRoute ? gatewayFeaturesOf(httpRoute) : undefined;
  if (features) caps.gatewayApi = features;
  return caps;
}

// 3.4 generated the embedded VirtualService schema from protobuf names (snake_case); 3.3 used Istio's.
function flavourOf(crd: KubeObject): KubeSphereFlavour {
  const text = JSON.stringify(crd.spec ?? {});
  if (text.includes('"mirror_percentage"') || text.includes('"without_headers"')) return "3.4";
  return "3.3";
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/**
 * What the served v1 HTTPRoute schema allows, read field by field: RequestMirror's `percent` and
 * `fraction` came after v1 itself, and the API server prunes a field its schema lacks. Undefined when v1
 * is not served (Graydesk writes v1 only).
 */
export function gatewayFeaturesOf(crd: KubeObject): GatewayApiFeatures | undefined {
  const versions =
    (crd.spec?.versions as { name: string; served?: boolean; schema?: { openAPIV3Schema?: SchemaNode } }[]) ??
    [];
  const v1 = versions.find((version) => version.name === "v1" && version.served !== false);
  if (!v1) return undefined;
  const mirror =
    v1.schema?.openAPIV3Schema?.properties?.spec?.properties?.rules?.items?.properties?.filters?.items
      ?.properties?.requestMirror?.properties ?? {};
  return { mirrorPercent: "percent" in mirror, mirrorFraction: "fraction" in mirror };
}

/**
 * The API server's answer to "may I?" for this verb on a cluster-wide resource. A server that does not answer
 * the review (an older or unusual one) gets the benefit of the doubt: the request itself will tell.
 */
export async function mayI(kube: Kube, verb: string, group: string, resource: string): Promise<boolean> {
  try {
    const review = await kube.create<KubeObject>({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      metadata: { name: "" },
      spec: { resourceAttributes: { verb, group, resource } },
    });
    return (review.status as { allowed?: boolean } | undefined)?.allowed === true;
  } catch {
    return true;
  }
}
