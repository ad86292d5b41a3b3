import { ROUTER_KINDS, type RouterKind } from "../src/release/index.ts";

/** How each traffic router reads to people: what splits the traffic. Exhaustive over the router kinds. */
export const ROUTER_NAMES: Record<RouterKind, string> = {
  istio: "Istio VirtualService",
  "gateway-api": "Gateway API HTTPRoute",
  kubesphere: "KubeSphere grayscale Strategy",
  replicas: "replica counts (no mesh)",
};

/** `istio`, `gateway-api`, `kubesphere` or `replicas`: the words `router=` takes, from the router kinds. */
export function routerWords(kinds: readonly RouterKind[] = ROUTER_KINDS): string {
  const words = kinds.map((kind) => `\`${kind}\``);
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

export function isRouterKind(word: string): word is RouterKind {
  return (ROUTER_KINDS as readonly string[]).includes(word);
}
