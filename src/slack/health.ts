import type { CustomRoute } from "@slack/bolt";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * /healthz says the process is up; /readyz says Graydesk can do its job: Slack accepted the token and the
 * Kubernetes API answered. Results are cached briefly so a probe every second does not load either API.
 * Anyone may ask (probes are unauthenticated), so the answer names what is not ready and nothing more; why goes
 * to the log, once per change.
 */
export function healthRoutes(
  checks: ReadinessCheck[],
  onFailure: (name: string, error: unknown) => void = () => undefined,
  cacheMs = 5_000,
  now = () => Date.now(),
): CustomRoute[] {
  const lastCause = new Map<string, string>();
  let cached: { at: number; failures: string[] } | undefined;
  const readiness = async () => {
    if (cached && now() - cached.at < cacheMs) return cached.failures;
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await c.check();
          lastCause.delete(c.name);
          return undefined;
        } catch (error) {
          const cause = String((error as Error).message);
          if (lastCause.get(c.name) !== cause) onFailure(c.name, error);
          lastCause.set(c.name, cause);
          return c.name;
        }
      }),
    );
    const failures = results.filter((r): r is string => r !== undefined);
    cached = { at: now(), failures };
    return failures;
  };
  return [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "ok" }));
      },
    },
    {
      path: "/readyz",
      method: ["GET"],
      handler: (_req, res) => {
        readiness().then((failures) => {
          res.writeHead(failures.length === 0 ? 200 : 503, { "content-type": "application/json" });
          res.end(JSON.stringify({ status: failures.length === 0 ? "ready" : "not ready", failures }));
        });
      },
    },
  ];
}
