import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ContainerSettings, ServicePort, Version } from "../release/index.ts";
import { byText, settingsOfPod, VERSION_LABEL } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

/** One deployed version of a service: the Deployment whose pods carry that `version` label. */
export interface DeployedVersion {
  version: Version;
  deployment: string;
  replicas: number;
  readyReplicas: number;
  images: string[];
  /** Work containers by name: the wizard's "replace the image" offers one field per container. */
  containers: { name: string; image: string }[];
  /** Every container (work, then init) with all its settings: "Describe the containers" starts from these. */
  described: ContainerSettings[];
}

type Labels = Record<string, string>;

export function selectorOf(service: KubeObject): Labels {
  return (service.spec?.selector as Labels | undefined) ?? {};
}

export function podLabelsOf(deployment: KubeObject): Labels {
  const template = deployment.spec?.template as { metadata?: { labels?: Labels } } | undefined;
  return template?.metadata?.labels ?? {};
}

export function selects(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

export function portsOf(service: KubeObject): ServicePort[] {
  const ports = (service.spec?.ports as Record<string, unknown>[] | undefined) ?? [];
  return ports.map((port) => ({
    ...(typeof port.name === "string" ? { name: port.name } : {}),
    port: Number(port.port),
    protocol: (port.protocol as ServicePort["protocol"] | undefined) ?? "TCP",
    ...(typeof port.appProtocol === "string" ? { appProtocol: port.appProtocol } : {}),
  }));
}

/** The versions of a service from Deployments already listed: those its selector picks, by pod `version`. */
export function versionsOf(service: KubeObject, deployments: KubeObject[]): DeployedVersion[] {
  const selector = selectorOf(service);
  return deployments
    .filter((deployment) => selects(selector, podLabelsOf(deployment)))
    .map((deployment) => {
      const pod = (deployment.spec?.template as { spec?: IPodSpec } | undefined)?.spec;
      const containers = pod?.containers ?? [];
      return {
        version: podLabelsOf(deployment)[VERSION_LABEL] ?? "latest",
        deployment: deployment.metadata.name,
        replicas: Number(deployment.spec?.replicas ?? 1),
        readyReplicas: Number(deployment.status?.readyReplicas ?? 0),
        images: containers.map((container) => container.image ?? ""),
        containers: containers.map((container) => ({
          name: container.name ?? "",
          image: container.image ?? "",
        })),
        described: pod ? settingsOfPod(pod) : [],
      };
    })
    .sort((a, b) => byText(a.version, b.version));
}

/** The Deployments of a service by version: two list calls (or none, with memoized reads). */
export async function versionDeployments(
  kube: Kube,
  namespace: string,
  serviceName: string,
): Promise<Map<Version, KubeObject>> {
  const service = await kube.get<KubeObject>({
    apiVersion: "v1",
    kind: "Service",
    namespace,
    name: serviceName,
  });
  const { items } = await kube.list<KubeObject>("apps/v1", "Deployment", namespace);
  const byVersion = new Map<Version, KubeObject>();
  if (!service) return byVersion;
  const selector = selectorOf(service);
  for (const deployment of items) {
    if (!selects(selector, podLabelsOf(deployment))) continue;
    byVersion.set(podLabelsOf(deployment)[VERSION_LABEL] ?? "latest", deployment);
  }
  return byVersion;
}

export function deploymentRef(namespace: string, name: string) {
  return { apiVersion: "apps/v1", kind: "Deployment", namespace, name };
}
