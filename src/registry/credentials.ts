/** A registry login as a `kubernetes.io/dockerconfigjson` Secret holds it. */
export interface RegistryLogin {
  username: string;
  password: string;
}

interface DockerConfigEntry {
  auth?: string;
  username?: string;
  password?: string;
}

/** The registry host an `auths` key names: `https://host:5000/v1/` and `host:5000` are the same. */
export function registryHostOf(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .split("/")[0];
  const lower = (host ?? "").toLowerCase();
  return lower === "index.docker.io" || lower === "registry-1.docker.io" ? "docker.io" : lower;
}

function entries(dockerConfigJson: string): [string, DockerConfigEntry][] {
  try {
    const parsed = JSON.parse(dockerConfigJson) as { auths?: Record<string, DockerConfigEntry> };
    return Object.entries(parsed.auths ?? {}).filter(([, entry]) => entry && typeof entry === "object");
  } catch {
    return [];
  }
}

/** The registries a pull Secret has a login for. */
export function registriesOf(dockerConfigJson: string): string[] {
  return [...new Set(entries(dockerConfigJson).map(([key]) => registryHostOf(key)))];
}

/** The login a pull Secret holds for one registry host (`auth` is base64 of `user:password`). */
export function loginFor(dockerConfigJson: string, host: string): RegistryLogin | undefined {
  const wanted = registryHostOf(host);
  const entry = entries(dockerConfigJson).find(([key]) => registryHostOf(key) === wanted)?.[1];
  if (!entry) return undefined;
  if (typeof entry.username === "string" && typeof entry.password === "string")
    return { username: entry.username, password: entry.password };
  if (typeof entry.auth !== "string") return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}
