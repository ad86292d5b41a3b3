/** An authentication challenge a registry answers 401 with (`WWW-Authenticate`). */
export interface Challenge {
  scheme: "basic" | "bearer";
  params: Record<string, string>;
}

/**
 * Reads `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:app:pull"` or
 * `Basic realm="…"`. Other schemes are not spoken (undefined).
 */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const match = /^\s*(basic|bearer)\b\s*(.*)$/i.exec(header ?? "");
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pairs = /([a-zA-Z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const [, key, quoted, bare] of (match[2] ?? "").matchAll(pairs)) {
    if (key) params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
  }
  return { scheme: (match[1] ?? "").toLowerCase() as Challenge["scheme"], params };
}
