import type { Version } from "./job.ts";
import { byText } from "./text-order.ts";

/**
 * The one rule for which version is stable (the wizard, the one-line command and the engine all ask it): the
 * version serving most, i.e. with the most ready pods, then the most pods, then the lowest version name. The
 * new version, once named, is never the stable one while another version exists.
 */
export function stableVersionOf<T extends { version: Version; replicas: number; readyReplicas: number }>(
  versions: readonly T[],
  next?: Version,
): T | undefined {
  const others = versions.filter((v) => v.version !== next);
  const candidates = others.length > 0 ? others : versions;
  return [...candidates].sort(
    (a, b) => b.readyReplicas - a.readyReplicas || b.replicas - a.replicas || byText(a.version, b.version),
  )[0];
}
