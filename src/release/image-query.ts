import { byText } from "./text-order.ts";
/**
 * What someone typed in the image search, read against the registry it searches: an explicit host (a first part
 * with a dot, a port or `localhost`) wins over the chosen pull Secret's registry; Docker Hub otherwise, whose
 * one-part names live under `library/`. `tag` is what follows the last `:` after the last `/` (a prefix to match).
 */
export interface ImageQuery {
  host: string;
  /** The repository path typed so far, without host and tag. */
  path: string;
  /** Set when a `:` was typed: the tags of exactly `path` that start with it. */
  tag?: string;
  /** Whether the host was typed (then suggestions keep it as typed). */
  typedHost: boolean;
}

export const DOCKER_HUB = "docker.io";

export function readImageQuery(typed: string, registry: string | undefined): ImageQuery {
  const text = typed.trim().split("@")[0] ?? "";
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  const tag = colon > slash ? text.slice(colon + 1) : undefined;
  const name = colon > slash ? text.slice(0, colon) : text;
  const parts = name.split("/");
  const first = parts[0] ?? "";
  const typedHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = typedHost ? first.toLowerCase() : (registry ?? DOCKER_HUB);
  const path = (typedHost ? parts.slice(1) : parts).join("/").toLowerCase();
  return { host, path, ...(tag !== undefined ? { tag } : {}), typedHost };
}

/** The repository a registry stores a path under (Docker Hub's official images under `library/`). */
export function repositoryOf(query: Pick<ImageQuery, "host" | "path">): string {
  return query.host === DOCKER_HUB && query.path !== "" && !query.path.includes("/")
    ? `library/${query.path}`
    : query.path;
}

/** The reference to put in the pod: `host/repository:tag`, Docker Hub's official images by their short name. */
export function imageReference(host: string, repository: string, tag: string): string {
  if (host === DOCKER_HUB) return `${repository.replace(/^library\//, "")}:${tag}`;
  return `${host}/${repository}:${tag}`;
}

/**
 * Tags newest-looking first: `latest`, then versions compared part by part as numbers (a release before its
 * `-rc` builds), then names.
 */
export function orderTags(tags: string[]): string[] {
  const parts = (tag: string) => tag.split(/[.\-_]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return [...tags].sort((a, b) => {
    if (a === "latest" || b === "latest") return a === "latest" ? -1 : b === "latest" ? 1 : 0;
    const [pa, pb] = [parts(a.replace(/^v/, "")), parts(b.replace(/^v/, ""))];
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const [x, y] = [pa[i], pb[i]];
      if (x === y) continue;
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (typeof x === "number" && typeof y === "number") return y - x;
      if (typeof x === "number" || typeof y === "number") return typeof x === "number" ? -1 : 1;
      return byText(String(y), String(x));
    }
    return 0;
  });
}
