import type { KubeConfig } from "@kubernetes/client-node";
import type { Config } from "../config.ts";
import { openFileStore } from "./file-store.ts";
import { openKubeStore } from "./kube-store.ts";
import type { Store } from "./store.ts";

/**
 * The store STORE asks for. `kubernetes` keeps state in ConfigMaps of the namespace Graydesk runs in (the
 * kubeconfig context's namespace; in a pod, its own namespace), so several replicas share it.
 */
export function openStore(config: Pick<Config, "store" | "dataDir">, kc: KubeConfig): Promise<Store> {
  switch (config.store) {
    case "lowdb":
      return openFileStore(config.dataDir);
    case "kubernetes":
      return openKubeStore(kc, { namespace: stateNamespace(kc) });
    default: {
      const unknown: never = config.store;
      throw new Error(`unknown STORE ${String(unknown)}`);
    }
  }
}

export function stateNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}
