import { type KubeConfig, type KubernetesObject, Watch } from "@kubernetes/client-node";
import { escapeText } from "../release/escape.ts";
import { ClusterError, describeRef, type ObjectRef, resourceOf } from "./client.ts";

/** A watch on one object: `ended` settles when the stream ends (rejects when the API server refused it). */
export interface ObjectWatch {
  stop(): void;
  ended: Promise<void>;
}

export type WatchEvent = (type: string, object: KubernetesObject) => void;

export interface WatchOptions {
  /** The API server ends the watch after this long (as informers ask, so no stream lives for ever). */
  timeoutSeconds?: number;
}

/**
 * Watches one object by name (`fieldSelector=metadata.name=…`, no resourceVersion): the API server sends its
 * current version first (ADDED), then every change. One request for as long as it stays open.
 */
export async function watchObject(
  kc: KubeConfig,
  ref: ObjectRef,
  onEvent: WatchEvent,
  options: WatchOptions = {},
): Promise<ObjectWatch> {
  let stopped = false;
  let settle: (error: unknown) => void = () => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    settle = (error) => {
      if (!error || stopped) resolve();
      else reject(refused(ref, error));
    };
  });
  // Nobody may wait on `ended` (the caller stopped early): a refusal is reported to whoever awaits it.
  ended.catch(() => undefined);
  const controller = await new Watch(kc).watch(
    pathOf(ref),
    { fieldSelector: `metadata.name=${ref.name}`, timeoutSeconds: options.timeoutSeconds },
    (type, object) => onEvent(type, object as KubernetesObject),
    (error) => settle(error),
  );
  return {
    stop() {
      stopped = true;
      controller.abort();
    },
    ended,
  };
}

function refused(ref: ObjectRef, error: unknown): ClusterError {
  const status = (error as { statusCode?: unknown }).statusCode;
  const code = typeof status === "number" ? status : undefined;
  const detail = escapeText((error as Error)?.message ?? String(error));
  return new ClusterError(
    `${describeRef(ref)} watch failed: ${code ? `the API server answered ${code} (${detail})` : detail}`,
    { code: code === 403 ? "forbidden" : "cluster-unavailable", status: code, retryable: code !== 403, ref },
    { cause: error },
  );
}

/** The collection's path: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/namespaces/ns/deployments`. */
function pathOf(ref: ObjectRef): string {
  const root = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const where = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
  return `${root}${where}/${resourceOf(ref.kind)}`;
}
