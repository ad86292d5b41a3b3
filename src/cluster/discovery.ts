import type { RouterKind, ServicePort } from "../release/index.ts";
import { appKind, byText, JOB_LABEL } from "../release/index.ts";
import { type Capabilities, readCapabilities } from "./capabilities.ts";
import { type GatewayRoute, gatewaysByService } from "./gateways.ts";
import type { Kube, KubeObject } from "./kube.ts";
import { type DeployedVersion, podLabelsOf, portsOf, selectorOf, selects, versionsOf } from "./workloads.ts";

export const APP_NAME_LABEL = "app.kubernetes.io/name";

export interface DiscoveredApp {
  name: string;
  template: boolean;
  services: string[];
}

export interface DiscoveredService {
  namespace: string;
  name: string;
  app: string;
  template: boolean;
  ports: ServicePort[];
  versions: DeployedVersion[];
  governed: boolean;
  routers: RouterKind[];
  gateways: GatewayRoute[];
}

type Labels = Record<string, string>;

export const PULL_SECRET_TYPE = "kubernetes.io/dockerconfigjson";

/**
 * What the cluster holds that a release can be made of. Capabilities are read once and kept; give it a kube
 * that keeps rarely changing kinds for a while (ReadCache.shared). A caller computing something from the same
 * reads passes its operation's reads, so discovery and the plan share them.
 */
export class Discovery {
  readonly #kube: Kube;
  #capabilities: Promise<Capabilities> | undefined;

  constructor(kube: Kube) {
    this.#kube = kube;
  }

  capabilities(): Promise<Capabilities> {
    if (!this.#capabilities) {
      this.#capabilities = readCapabilities(this.#kube);
      this.#capabilities.catch(() => {
        this.#capabilities = undefined;
      });
    }
    return this.#capabilities;
  }

  async namespaces(): Promise<string[]> {
    const { items } = await this.#kube.list<KubeObject>("v1", "Namespace");
    return items.map((item) => item.metadata.name).sort();
  }

  async apps(namespace: string, kube: Kube = this.#kube): Promise<DiscoveredApp[]> {
    // An app's services are named, not their gateways.
    const services = await this.services(namespace, undefined, kube, { gateways: false });
    const apps = new Map<string, DiscoveredApp>();
    for (const service of services) {
      const app = apps.get(service.app) ?? { name: service.app, template: false, services: [] };
      app.template ||= service.template;
      app.services.push(service.name);
      apps.set(service.app, app);
    }
    return [...apps.values()].sort((a, b) => byText(a.name, b.name));
  }

  /**
   * Services with their versions, mesh governance, routers and gateways: one list per kind. `gateways: false`
   * leaves the ingress gateways out (each service's `gateways` empty) for a caller that does not show them: a
   * job's creation finds its own through its routes (see gatewayRoutesOf), with no Gateway list where none binds.
   */
  async services(
    namespace: string,
    app?: string,
    kube: Kube = this.#kube,
    options: { gateways?: boolean } = {},
  ): Promise<DiscoveredService[]> {
    const caps = await this.capabilities();
    const [ns, services, deployments, gateways] = await Promise.all([
      kube.get<KubeObject>({ apiVersion: "v1", kind: "Namespace", name: namespace }),
      kube.list<KubeObject>("v1", "Service", namespace),
      kube.list<KubeObject>("apps/v1", "Deployment", namespace),
      caps.istioGateways && options.gateways !== false
        ? gatewaysByService(kube, namespace)
        : Promise.resolve(new Map<string, GatewayRoute[]>()),
    ]);
    const meshNamespace = isMeshNamespace(ns?.metadata.labels ?? {});
    const appOf = (service: KubeObject) => {
      const labels = service.metadata.labels ?? {};
      return labels[APP_NAME_LABEL] ?? labels.app ?? service.metadata.name;
    };
    const candidates = services.items.filter(
      (service) =>
        Object.keys(selectorOf(service)).length > 0 &&
        // A version's own Service, made by a job for Gateway API's backendRefs, is part of its service.
        service.metadata.labels?.[JOB_LABEL] === undefined &&
        (app === undefined || appOf(service) === app),
    );
    const ownOf = (service: KubeObject) =>
      deployments.items.filter((deployment) => selects(selectorOf(service), podLabelsOf(deployment)));
    const governedWithoutPods = (service: KubeObject) =>
      meshNamespace || isKubeSphereGoverned(service) || ownOf(service).some(isKubeSphereGoverned);
    // Pods are listed only to look for sidecars where the namespace and the objects do not tell already.
    const pods = candidates.every(governedWithoutPods)
      ? []
      : (await kube.list<KubeObject>("v1", "Pod", namespace)).items;
    const found: DiscoveredService[] = [];
    for (const service of candidates) {
      const selector = selectorOf(service);
      const own = ownOf(service);
      const appName = appOf(service);
      const governed =
        governedWithoutPods(service) ||
        pods.some((pod) => selects(selector, pod.metadata.labels ?? {}) && hasSidecar(pod));
      const ports = portsOf(service);
      const template = [service, ...own].some(
        (object) => appKind({ name: appName, labels: object.metadata.labels ?? {} }) === "template",
      );
      found.push({
        namespace,
        name: service.metadata.name,
        app: appName,
        template,
        ports,
        versions: versionsOf(service, own),
        governed,
        routers: routersFor(caps, governed, ports),
        gateways: gateways.get(service.metadata.name) ?? [],
      });
    }
    return found.sort((a, b) => byText(a.name, b.name));
  }

  /**
   * ConfigMaps and Secrets with their keys (never the values), for environment references, and the names of the
   * image pull Secrets (`kubernetes.io/dockerconfigjson`), for the private registry choice.
   */
  async namespaceConfig(
    namespace: string,
    kube: Kube = this.#kube,
  ): Promise<{
    configMaps: Record<string, string[]>;
    secrets: Record<string, string[]>;
    pullSecrets: string[];
  }> {
    const [configMaps, secrets] = await Promise.all([
      kube.list<KubeObject>("v1", "ConfigMap", namespace),
      kube.list<KubeObject>("v1", "Secret", namespace),
    ]);
    const keys = (items: KubeObject[]) =>
      Object.fromEntries(
        items.map((item) => [
          item.metadata.name,
          [
            ...Object.keys((item.data as Labels | undefined) ?? {}),
            ...Object.keys((item.binaryData as Labels | undefined) ?? {}),
          ].sort(),
        ]),
      );
    const pullSecrets = secrets.items
      .filter((item) => item.type === PULL_SECRET_TYPE)
      .map((item) => item.metadata.name)
      .sort();
    return { configMaps: keys(configMaps.items), secrets: keys(secrets.items), pullSecrets };
  }
}

function isMeshNamespace(labels: Labels): boolean {
  return labels["istio-injection"] === "enabled" || labels["istio.io/rev"] !== undefined;
}

function isKubeSphereGoverned(object: KubeObject): boolean {
  return object.metadata.annotations?.["servicemesh.kubesphere.io/enabled"] === "true";
}

function hasSidecar(pod: KubeObject): boolean {
  if (pod.metadata.annotations?.["sidecar.istio.io/status"] !== undefined) return true;
  const containers = (pod.spec?.containers as { name?: string }[] | undefined) ?? [];
  return containers.some((container) => container.name === "istio-proxy");
}

/** Ports Istio routes at layer 7; a service with none of them (TCP/UDP only) is split by replicas. */
export function hasHttpPort(ports: ServicePort[]): boolean {
  return ports.some(
    (port) =>
      port.protocol === "TCP" && !/^(tcp|tls|mongo|mysql|redis)/i.test(port.appProtocol ?? port.name ?? ""),
  );
}

export function routersFor(caps: Capabilities, governed: boolean, ports: ServicePort[]): RouterKind[] {
  const routers: RouterKind[] = [];
  if (governed && hasHttpPort(ports)) {
    if (caps.istio) routers.push("istio");
    if (caps.gatewayApi) routers.push("gateway-api");
    if (caps.kubesphere) routers.push("kubesphere");
  }
  routers.push("replicas");
  // HTTPRoutes attached to Gateways split requests entering through them even outside a mesh; between
  // pods they need one, so there replicas stay the default.
  if (caps.gatewayApi && !governed && hasHttpPort(ports)) routers.push("gateway-api");
  return routers;
}
