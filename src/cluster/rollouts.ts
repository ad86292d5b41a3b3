import { CustomObjectsApi, type KubeConfig, setHeaderOptions, Watch } from "@kubernetes/client-node";
import { ClusterError, type ObjectRef } from "./client.ts";

/** Argo Rollouts' Rollout: only the fields Graydesk reads are typed; the rest is kept as the API returns it. */
export interface RolloutObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    generation?: number;
    [k: string]: unknown;
  };
  spec: {
    paused?: boolean;
    replicas?: number;
    template?: { spec?: { containers?: { name: string; image?: string }[] } };
    strategy?: {
      canary?: { steps?: Record<string, unknown>[] };
      blueGreen?: Record<string, unknown>;
    };
    [k: string]: unknown;
  };
  status?: {
    phase?: string;
    message?: string;
    abort?: boolean;
    promoteFull?: boolean;
    controllerPause?: boolean;
    currentStepIndex?: number;
    currentPodHash?: string;
    stableRS?: string;
    pauseConditions?: { reason: string; startTime: string }[];
    canary?: {
      weights?: { canary?: { weight?: number }; stable?: { weight?: number } };
      currentStepAnalysisRunStatus?: { name?: string; status?: string; message?: string };
      currentBackgroundAnalysisRunStatus?: { name?: string; status?: string; message?: string };
    };
    blueGreen?: { activeSelector?: string; previewSelector?: string };
    [k: string]: unknown;
  };
}

const GROUP = "argoproj.io";
const VERSION = "v1alpha1";
const PLURAL = "rollouts";
const MERGE_PATCH = setHeaderOptions("Content-Type", "application/merge-patch+json");

const ref = (namespace: string, name: string): ObjectRef => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: "Rollout",
  namespace,
  name,
});

/**
 * Reads, watches and patches Argo Rollouts. Patches are JSON merge patches sent as given, to the object or to its
 * `status` subresource, so Graydesk writes exactly what the argo-rollouts CLI writes and nothing more.
 */
export class RolloutsClient {
  readonly #kc: KubeConfig;
  readonly #api: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async get(namespace: string, name: string): Promise<RolloutObject | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      })) as RolloutObject;
    } catch (error) {
      const failure = ClusterError.from(error, "get", ref(namespace, name));
      if (failure.status === 404) return undefined;
      throw failure;
    }
  }

  async list(namespace: string): Promise<{ items: RolloutObject[]; resourceVersion: string | undefined }> {
    try {
      const list = (await this.#api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
      })) as { items: RolloutObject[]; metadata?: { resourceVersion?: string } };
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    } catch (error) {
      throw ClusterError.from(error, "list", { ...ref(namespace, ""), name: "" });
    }
  }

  /** A JSON merge patch of the Rollout (`subresource: "status"` patches rollouts/status). */
  async patch(namespace: string, name: string, body: object, subresource?: "status"): Promise<RolloutObject> {
    const params = { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body };
    try {
      return (await (subresource === "status"
        ? this.#api.patchNamespacedCustomObjectStatus(params, MERGE_PATCH)
        : this.#api.patchNamespacedCustomObject(params, MERGE_PATCH))) as RolloutObject;
    } catch (error) {
      throw ClusterError.from(error, "patch", ref(namespace, name));
    }
  }

  /**
   * Watches the namespace's Rollouts from `resourceVersion`; `onEnd` is called when the watch stops for any
   * reason (the caller lists again and resumes). Returns a function that stops it.
   */
  async watch(
    namespace: string,
    resourceVersion: string | undefined,
    onEvent: (type: string, rollout: RolloutObject) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<() => void> {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
    const controller = await new Watch(this.#kc).watch(
      path,
      { allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
      (type, object) => {
        if (type !== "BOOKMARK") onEvent(type, object as RolloutObject);
      },
      (error) => onEnd(error),
    );
    return () => controller.abort();
  }
}
