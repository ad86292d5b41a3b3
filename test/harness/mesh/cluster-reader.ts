// Reads the routing snapshot from a cluster through client-node, the same client Graydesk uses.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Pod,
  type V1Service,
} from "@kubernetes/client-node";
import type { GatewayHttpRoute } from "./http-route.ts";
import type { DestinationRule, MeshPod, MeshService, MeshSnapshot, VirtualService } from "./types.ts";
import { workloadFromOwner } from "./workload-labels.ts";

export interface ClusterReader {
  read(): Promise<MeshSnapshot>;
}

/** A fixed snapshot, for tests of the simulator that need no cluster. */
export function staticClusterReader(snapshot: MeshSnapshot): ClusterReader & { snapshot: MeshSnapshot } {
  return {
    snapshot,
    async read() {
      return this.snapshot;
    },
  };
}

export class MeshReadError extends Error {
  readonly code = "mesh_read_failed";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Istio serves networking.istio.io at v1 (1.22+), v1beta1 and v1alpha3; older meshes lack v1. */
const ISTIO_VERSIONS = ["v1", "v1beta1", "v1alpha3"];

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

export function isReadyPod(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.phase !== "Running") return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

export function toMeshPod(pod: V1Pod): MeshPod {
  const labels = pod.metadata?.labels ?? {};
  const name = pod.metadata?.name ?? "";
  return {
    name,
    namespace: pod.metadata?.namespace ?? "default",
    labels,
    workload: workloadFromOwner(name, pod.metadata?.ownerReferences?.[0], labels["pod-template-hash"]),
    serviceAccount: pod.spec?.serviceAccountName ?? "default",
    ip: pod.status?.podIP ?? "10.0.0.1",
  };
}

export function toMeshService(service: V1Service): MeshService {
  return {
    name: service.metadata?.name ?? "",
    namespace: service.metadata?.namespace ?? "default",
    selector: service.spec?.selector ?? {},
    ports: (service.spec?.ports ?? []).map((p) =>
      p.name ? { name: p.name, port: p.port } : { port: p.port },
    ),
  };
}

export class KubeClusterReader implements ClusterReader {
  #core: CoreV1Api;
  #custom: CustomObjectsApi;
  #namespaces: string[] | undefined;

  /** `namespaces` limits what is read; undefined reads every namespace. */
  constructor(kubeConfig: KubeConfig, namespaces?: string[]) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#namespaces = namespaces;
  }

  async read(): Promise<MeshSnapshot> {
    const [services, pods, virtualServices, destinationRules, httpRoutes] = await Promise.all([
      this.#services(),
      this.#pods(),
      this.#istio<VirtualService>("virtualservices"),
      this.#istio<DestinationRule>("destinationrules"),
      this.#customObjects<GatewayHttpRoute>("gateway.networking.k8s.io", ["v1"], "httproutes"),
    ]);
    return {
      services: services.map(toMeshService),
      pods: pods.filter(isReadyPod).map(toMeshPod),
      virtualServices,
      destinationRules,
      httpRoutes,
    };
  }

  async #perNamespace<T>(all: () => Promise<T[]>, one: (namespace: string) => Promise<T[]>): Promise<T[]> {
    if (!this.#namespaces) return all();
    return (await Promise.all(this.#namespaces.map(one))).flat();
  }

  async #services(): Promise<V1Service[]> {
    try {
      return await this.#perNamespace(
        async () => (await this.#core.listServiceForAllNamespaces()).items,
        async (namespace) => (await this.#core.listNamespacedService({ namespace })).items,
      );
    } catch (error) {
      throw new MeshReadError("Could not list Services for the mesh simulator", { cause: error });
    }
  }

  async #pods(): Promise<V1Pod[]> {
    try {
      return await this.#perNamespace(
        async () => (await this.#core.listPodForAllNamespaces()).items,
        async (namespace) => (await this.#core.listNamespacedPod({ namespace })).items,
      );
    } catch (error) {
      throw new MeshReadError("Could not list Pods for the mesh simulator", { cause: error });
    }
  }

  /** A cluster without Istio's CRDs simply has no routing objects: plain Service balancing applies. */
  #istio<T>(plural: string): Promise<T[]> {
    return this.#customObjects<T>("networking.istio.io", ISTIO_VERSIONS, plural);
  }

  /** The first of `versions` the API serves; a group it does not serve at all has no objects. */
  async #customObjects<T>(group: string, versions: string[], plural: string): Promise<T[]> {
    for (const version of versions) {
      try {
        const lists = await this.#perNamespace(
          async () =>
            (
              (await this.#custom.listCustomObjectForAllNamespaces({
                group,
                version,
                resourcePlural: plural,
              })) as {
                items: T[];
              }
            ).items,
          async (namespace) =>
            (
              (await this.#custom.listNamespacedCustomObject({ group, version, namespace, plural })) as {
                items: T[];
              }
            ).items,
        );
        return lists;
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw new MeshReadError(`Could not list ${plural}.${group}/${version} for the mesh simulator`, {
          cause: error,
        });
      }
    }
    return [];
  }
}
