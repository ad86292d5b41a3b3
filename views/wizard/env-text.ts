import type { EnvVarSettings } from "../../src/release/index.ts";

/**
 * Environment variables, one per line: `KEY=value`, or a reference to a key of a ConfigMap or Secret of the
 * same namespace: `KEY=configmap:name/key`, `KEY=secret:name/key`.
 */
export const ENV_EXAMPLE = "LOG_LEVEL=debug\nDB_PASSWORD=secret:db/password";
const REFERENCE = /^(configmap|secret):([^/\s]+)\/(\S+)$/i;

export function formatEnv(env: EnvVarSettings[]): string {
  return env
    .map((v) =>
      v.from
        ? `${v.key}=${v.from.kind.toLowerCase()}:${v.from.name}/${v.from.key}`
        : `${v.key}=${v.value ?? ""}`,
    )
    .join("\n");
}

export function parseEnv(text: string | undefined): { env: EnvVarSettings[]; problems: string[] } {
  const env: EnvVarSettings[] = [];
  const problems: string[] = [];
  (text ?? "").split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      problems.push(`Line ${i + 1}: write KEY=value, KEY=configmap:name/key or KEY=secret:name/key.`);
      return;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const ref = REFERENCE.exec(value);
    env.push(
      ref
        ? {
            key,
            from: {
              kind: (ref[1] as string).toLowerCase() === "secret" ? "Secret" : "ConfigMap",
              name: ref[2] as string,
              key: ref[3] as string,
            },
          }
        : { key, value },
    );
  });
  return { env, problems };
}
