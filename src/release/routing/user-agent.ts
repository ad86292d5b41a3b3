import type { ClientOs } from "../job.ts";

/**
 * What each client OS writes in User-Agent. Android UAs also say "Linux", so the Linux preset excludes
 * Android with `withoutHeaders`; iPhone UAs say "like Mac OS X", so macOS keys on "Macintosh" instead.
 * (iPadOS in desktop mode says "Macintosh" too and counts as macOS: the UA cannot tell them apart.)
 */
export const OS_TOKENS: Record<ClientOs, string> = {
  windows: "Windows",
  linux: "Linux",
  macos: "Macintosh",
  android: "Android",
  ios: "iPhone|iPad|iPod",
};

const ORDER: ClientOs[] = ["windows", "linux", "macos", "android", "ios"];

/** The User-Agent regex (Envoy matches it against the whole header) and what must not match. */
export function osUserAgentMatch(systems: ClientOs[]): { regex: string; without?: string } {
  const chosen = ORDER.filter((os) => systems.includes(os));
  const regex = `.*(${chosen.map((os) => OS_TOKENS[os]).join("|")}).*`;
  const excludeAndroid = chosen.includes("linux") && !chosen.includes("android");
  return excludeAndroid ? { regex, without: `.*${OS_TOKENS.android}.*` } : { regex };
}

/** The systems a User-Agent regex of ours stands for, or undefined if someone else wrote it. */
export function osFromUserAgentRegex(regex: string): ClientOs[] | undefined {
  const inner = /^\.\*\((.+)\)\.\*$/.exec(regex)?.[1];
  if (!inner) return undefined;
  const systems = ORDER.filter((os) => {
    const token = OS_TOKENS[os];
    return (
      inner === token ||
      inner.startsWith(`${token}|`) ||
      inner.endsWith(`|${token}`) ||
      inner.includes(`|${token}|`)
    );
  });
  return osUserAgentMatch(systems).regex === regex ? systems : undefined;
}

/** Whether `userAgent` counts as one of `systems`, the way the mesh will decide it. */
export function userAgentMatches(userAgent: string, systems: ClientOs[]): boolean {
  const { regex, without } = osUserAgentMatch(systems);
  const full = (pattern: string) => new RegExp(`^(?:${pattern})$`).test(userAgent);
  return full(regex) && !(without && full(without));
}
