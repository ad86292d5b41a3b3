const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io"]);

/**
 * Where an image comes from, as `registry/repository` without tag or digest: the first part is a registry
 * when it has a dot or a port or is `localhost` (as the container runtimes decide), else Docker Hub, whose
 * one-part names live under `library/`.
 */
export function imageLocation(image: string): string {
  const withoutDigest = image.split("@")[0] ?? "";
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const parts = name.split("/");
  const first = parts[0] ?? "";
  const hasRegistry =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? normalRegistry(first) : DOCKER_HUB;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (registry === DOCKER_HUB && path.length === 1) path.unshift("library");
  return `${registry}/${path.join("/")}`;
}

export function registryOf(image: string): string {
  return imageLocation(image).split("/")[0] ?? DOCKER_HUB;
}

/** A registry, or a registry with a path prefix (`registry.example.com/team`), as the policy lists it. */
export function normalRegistryEntry(entry: string): string {
  const trimmed = entry.trim().replace(/\/+$/, "");
  const [host = "", ...path] = trimmed.split("/");
  return [normalRegistry(host), ...path].join("/");
}

function normalRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/** Whether an image comes from one of the allowed registries (or registry path prefixes). */
export function registryAllowed(image: string, allowed: Iterable<string>): boolean {
  const location = imageLocation(image);
  for (const entry of allowed) {
    const prefix = normalRegistryEntry(entry);
    if (prefix !== "" && (location === prefix || location.startsWith(`${prefix}/`))) return true;
  }
  return false;
}
