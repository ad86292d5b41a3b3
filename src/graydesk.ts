import { readFile } from "node:fs/promises";
import { deskCommands } from "../commands/desk.ts";
import { registerCommands, subcommands } from "../commands/index.ts";
import { newCommand } from "../commands/new.ts";
import { openPolicy, type Policy, parsePolicy } from "./approvals/index.ts";
import { ClusterClient } from "./cluster/index.ts";
import { createKubeConfig, pingCluster } from "./cluster/kubeconfig.ts";
import type { Config } from "./config.ts";
import { createReleaseDesk, type RunningReleaseDesk } from "./desk/index.ts";
import type { Logger } from "./log.ts";
import { createSlackApp, type SlackApp } from "./slack/app.ts";
import type { Clock, SlackDeps } from "./slack/deps.ts";
import { composeSlackDesk } from "./slack/desk/compose.ts";
import { registerDesk } from "./slack/desk/index.ts";
import { InFlight } from "./slack/in-flight.ts";
import { registerWizard } from "./slack/wizard/index.ts";
import { type AuditLog, openAuditLog, openStore, type Store } from "./store/index.ts";

export interface Graydesk {
  slack: SlackApp;
  store: Store;
  audit: AuditLog;
  policy: Policy;
  /** What the Slack listeners were built with: the release desk, approvals, job cards. */
  deps: SlackDeps;
  /** Stops taking requests, waits for work in flight (up to the shutdown timeout), flushes the store. */
  stop(): Promise<{ drained: boolean }>;
}

export class StartupError extends Error {
  readonly code = "startup";
}

/**
 * Composition root: config ▶ policy ▶ store ▶ cluster ▶ Slack app. `main.ts` calls it for the real process and
 * the integration tests call it too, so they walk the same wiring users get.
 */
export async function startGraydesk(
  config: Config,
  logger: Logger,
  options: { clock?: Clock } = {},
): Promise<Graydesk> {
  const clock = options.clock ?? (() => new Date());
  const policy = await loadPolicy(config.policyFile);
  if (!policy.fromFile) {
    logger.warn(
      "no POLICY_FILE: anyone in the workspace may request changes and anyone else may approve them",
    );
  }
  const kc = createKubeConfig(config.kube);
  // STORE=kubernetes shares state between replicas; the audit log stays one file per replica in DATA_DIR.
  const store = await openStore(config, kc);
  const audit = await openAuditLog(config.dataDir);
  const inFlight = new InFlight();
  const slack = createSlackApp({
    config,
    logger,
    readiness: [
      { name: "slack", check: async () => void (await slack.app.client.auth.test()) },
      { name: "kubernetes", check: async () => void (await pingCluster(kc)) },
    ],
  });
  let releaseDesk: RunningReleaseDesk | undefined;
  const deps = composeSlackDesk({
    app: slack.app,
    store,
    audit,
    policy,
    logger,
    inFlight,
    clock,
    createDesk: (events) => {
      releaseDesk = createReleaseDesk({
        cluster: new ClusterClient(kc),
        store,
        audit,
        clock,
        logger,
        events,
      });
      return releaseDesk;
    },
  });
  registerCommands(slack.app, {
    logger,
    inFlight,
    table: [...subcommands, newCommand(deps), ...deskCommands(deps)],
  });
  registerWizard(slack.app, deps);
  registerDesk(slack.app, deps);
  // An unreachable cluster must not keep Slack from answering; readiness reports it, recovery runs later.
  await deps.desk
    .recover()
    .catch((error) => logger.warn({ err: error }, "could not recover interrupted plans at start-up"));
  await slack.start();
  // Requests nobody decided in time are marked expired (with Re-request) without waiting for a click.
  const expirySweep = setInterval(() => {
    void inFlight.track(
      deps.approvals.expireDue().catch((error) => logger.warn({ err: error }, "expiry sweep failed")),
    );
  }, 60_000);
  expirySweep.unref();

  return {
    slack,
    store,
    audit,
    policy,
    deps,
    async stop() {
      clearInterval(expirySweep);
      await slack.stop().catch((error) => logger.warn({ err: error }, "receiver did not stop cleanly"));
      const drained = await inFlight.drain(config.shutdownTimeoutMs);
      if (!drained)
        logger.warn({ pending: inFlight.size }, "shutdown timeout reached with work still running");
      await releaseDesk?.close();
      await store.close();
      await audit.close();
      return { drained };
    },
  };
}

async function loadPolicy(file: string | undefined): Promise<Policy> {
  if (!file) return openPolicy();
  const result = parsePolicy(await readFile(file, "utf8"));
  if (!result.ok) {
    throw new StartupError(
      `POLICY_FILE ${file} has problems:\n${result.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return result.policy;
}
