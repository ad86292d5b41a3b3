import { readFile } from "node:fs/promises";
import { chartCommand, tracesCommand } from "../commands/chart.ts";
import { deskCommands } from "../commands/desk.ts";
import { digestCommand } from "../commands/digest.ts";
import { registerCommands, type Subcommand, subcommands } from "../commands/index.ts";
import { newCommand } from "../commands/new.ts";
import { stepsCommand } from "../commands/steps.ts";
import { openPolicy, type Policy, parsePolicy } from "./approvals/index.ts";
import { ClusterClient, RolloutsClient } from "./cluster/index.ts";
import { createKubeConfig, kubeConfigFromSecret, pingCluster } from "./cluster/kubeconfig.ts";
import type { Config } from "./config.ts";
import {
  type ControllerGates,
  controllerRoutes,
  createControllerGates,
  registerControllerGates,
} from "./controllers/index.ts";
import { createClustersDesk, createReleaseDesk, type RunningReleaseDesk } from "./desk/index.ts";
import { idleTrim, lastResortGc } from "./idle-trim.ts";
import type { Logger } from "./log.ts";
import { createScheduler, leadershipFor, replicaIdentity, type Scheduler } from "./schedule/index.ts";
import { AckFirst } from "./slack/ack-first.ts";
import { createSlackApp, type SlackApp } from "./slack/app.ts";
import { reconcileAudit, recoveryCheck } from "./slack/approvals/index.ts";
import type { TokenRetry } from "./slack/bot-token.ts";
import type { Clock, SlackDeps } from "./slack/deps.ts";
import { composeSlackDesk } from "./slack/desk/compose.ts";
import { registerDesk } from "./slack/desk/index.ts";
import { InFlight } from "./slack/in-flight.ts";
import { chartTimer } from "./slack/live/chart-timer.ts";
import { liveCards } from "./slack/live/index.ts";
import { buildSchedules, type ScheduleParts } from "./slack/live/schedules.ts";
import { SlackOutbox } from "./slack/outbox.ts";
import type { RetryTiming } from "./slack/outbox-policy.ts";
import { registerWizard } from "./slack/wizard/index.ts";
import { type StartupPhases, startupPhases } from "./startup-phases.ts";
import {
  type AuditLog,
  openAuditLog,
  openKubeAuditLog,
  openStore,
  type Store,
  stateNamespace,
} from "./store/index.ts";
import { createTelemetry, defaultSettleSeconds, type Refresher } from "./telemetry/index.ts";

export interface Graydesk {
  slack: SlackApp;
  store: Store;
  audit: AuditLog;
  policy: Policy;
  /** What the Slack listeners were built with: the release desk, approvals, job cards. */
  deps: SlackDeps;
  /** Every `/release` subcommand, as registered. */
  commands: readonly Subcommand[];
  /** Digests and canary steps; they run on the leader only. */
  schedules: ScheduleParts;
  /** Keeps live jobs' cards fresh and posts health breaches; runs on the leader only. */
  refresher: Refresher;
  scheduler: Scheduler;
  /** Slack messages still owed (Slack down or rate limiting), sent again by a background worker. */
  outbox: SlackOutbox;
  /** How long each step of start-up took (ms). */
  startup: StartupPhases;
  /** Settles once the clusters' routing APIs were read (or could not be: then they are read at first use). */
  capabilitiesRead: Promise<void>;
  /** Stops taking requests, waits for work in flight (up to the shutdown timeout), flushes the store. */
  stop(): Promise<{ drained: boolean }>;
}

/** Timings tests shorten: the outbox's retry backoff and how often its worker looks. */
export interface GraydeskTimings {
  outbox?: { retry?: RetryTiming; pollMs?: number };
  /** The chart redraw timer's pace; `false` turns it off (tests that count uploads). */
  chartRedraws?: { tickSeconds?: number; minIntervalSeconds?: number; uploadsPerMinute?: number } | false;
  /** How soon a bot token Slack rejected is tried again. */
  tokenRetry?: TokenRetry;
  /** How often a Deployment coming up is read again while waiting for its pods (default 1 s). */
  readyPollMs?: number;
  /** With STORE=kubernetes: how often a replica renews its word on its applies, and when another's is stale. */
  journal?: { heartbeatMs?: number; staleMs?: number };
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
  options: {
    clock?: Clock;
    timings?: GraydeskTimings;
    /** Wraps the audit trail Graydesk opens (tests make it fail, as a full disk would). */
    wrapAudit?: (audit: AuditLog) => AuditLog;
  } = {},
): Promise<Graydesk> {
  const clock = options.clock ?? (() => new Date());
  const timer = startupPhases();
  const policy = await loadPolicy(config.policyFile);
  if (!policy.fromFile) {
    logger.warn(
      "no POLICY_FILE: anyone in the workspace may request changes and anyone else may approve them",
    );
  }
  const kc = createKubeConfig(config.kube);
  // Each named cluster: a context of KUBECONFIG, the cluster Graydesk runs in, or a kubeconfig in a Secret.
  const clusterConfigs = config.clusters
    ? await Promise.all(
        config.clusters.map(
          async (c) =>
            [
              c.name,
              c.secret
                ? await kubeConfigFromSecret(kc, c.name, c.secret)
                : createKubeConfig(c.context ? { ...config.kube, context: c.context } : {}),
            ] as const,
        ),
      )
    : undefined;
  const clusterClients = clusterConfigs
    ? Object.fromEntries(clusterConfigs.map(([name, ckc]) => [name, new ClusterClient(ckc)]))
    : undefined;
  timer.done("policy and kubeconfig");
  // STORE=kubernetes shares state between replicas, and the audit trail with it: one chain in the cluster,
  // mirrored to the log as JSON lines for log shipping. Otherwise the trail is DATA_DIR/audit.log.
  const store = await openStore(config, kc);
  timer.done("store");
  const opened =
    config.store === "kubernetes"
      ? await openKubeAuditLog(kc, {
          namespace: stateNamespace(kc),
          mirror: (record) => logger.info({ audit: record }, "audit record"),
        })
      : await openAuditLog(config.dataDir, { notice: (message, detail) => logger.warn(detail, message) });
  const audit = options.wrapAudit ? options.wrapAudit(opened) : opened;
  timer.done("audit trail");
  // One name per process: on the schedules' Lease and on the journals of the applies it has under way.
  const identity = replicaIdentity();
  const ackFirst = new AckFirst();
  const inFlight = new InFlight({ ackFirst });
  let gates: ControllerGates | undefined;
  const slack = createSlackApp({
    config,
    logger,
    readiness: [
      // With several clusters, readiness reports each one (a cluster down is named, the others still checked).
      ...(clusterConfigs
        ? clusterConfigs.map(([name, ckc]) => ({
            name: `kubernetes ${name}`,
            check: async () => void (await pingCluster(ckc)),
          }))
        : [{ name: "kubernetes", check: async () => void (await pingCluster(kc)) }]),
    ],
    routes: controllerRoutes(
      () => gates,
      logger,
      (work) => inFlight.track(work),
    ),
    ...(options.timings?.tokenRetry ? { tokenRetry: options.timings.tokenRetry } : {}),
    ackFirst,
  });
  let releaseDesk: RunningReleaseDesk | undefined;
  const cluster = new ClusterClient(kc);
  const telemetry = createTelemetry({
    ...(config.prometheusUrl ? { prometheusUrl: config.prometheusUrl } : {}),
    ...(config.jaegerUrl ? { jaegerUrl: config.jaegerUrl } : {}),
    ...(config.prometheusTiming ? { timing: config.prometheusTiming } : {}),
  });
  // Slack messages that must not be lost while Slack is busy or down; kept in the store between restarts.
  const outbox = new SlackOutbox({
    client: slack.app.client,
    store,
    logger,
    ...options.timings?.outbox,
  });
  const deps = composeSlackDesk({
    app: slack.app,
    outbox,
    store,
    audit,
    policy,
    logger,
    inFlight,
    clock,
    telemetry,
    createDesk: (events) => {
      const pollMs = options.timings?.readyPollMs;
      // Replicas share the state: an apply one of them has under way is left to it while it renews its word.
      const replicas = config.store === "kubernetes" ? { replicas: options.timings?.journal ?? {} } : {};
      const shared = {
        store,
        audit,
        clock,
        logger,
        events,
        policy,
        identity,
        ...replicas,
        ...(pollMs ? { pollMs } : {}),
      };
      releaseDesk = clusterClients
        ? createClustersDesk({ clusters: clusterClients, ...shared })
        : createReleaseDesk({ cluster, ...shared });
      return releaseDesk;
    },
  });
  gates = createControllerGates({
    app: slack.app,
    gate: deps.approvals.gate,
    policy,
    store,
    audit,
    outbox,
    logger,
    clock,
    gateTokens: config.gateTokens ?? {},
    rollouts: new RolloutsClient(kc),
    namespaces: Object.keys(policy.namespaces),
  });
  const onError = (error: unknown) => logger.warn({ err: error }, "scheduled work failed");
  const schedules = buildSchedules(deps, {
    client: slack.app.client,
    list: (apiVersion, kind, namespace, selector) => cluster.list(apiVersion, kind, namespace, selector),
    ...(clusterClients
      ? {
          clusters: Object.fromEntries(
            Object.entries(clusterClients).map(([name, client]) => [name, client.list.bind(client)]),
          ),
        }
      : {}),
    onError,
  });
  const refresher = liveCards({
    desk: deps.desk,
    cards: deps.cards,
    client: slack.app.client,
    logger,
    policy: deps.policy,
    audit: deps.audit,
    store: deps.store,
    intervalSeconds: config.refreshIntervalSeconds ?? 60,
  });
  // Live charts follow the card's text: redrawn after each change settles and on a throttled timer.
  const redrawPace = options.timings?.chartRedraws;
  const chartRedraws =
    telemetry.prometheusConfigured && redrawPace !== false
      ? chartTimer({
          charts: deps.charts,
          jobs: () => deps.desk.jobs(),
          logger,
          settleSeconds: defaultSettleSeconds(telemetry.timing),
          ...redrawPace,
        })
      : { start: () => undefined, stop: async () => undefined };
  // Requests nobody decided in time are marked expired (with Re-request) without waiting for a click.
  let expirySweep: NodeJS.Timeout | undefined;
  const expiry = {
    start() {
      expirySweep = setInterval(() => {
        void inFlight.track(
          deps.approvals
            .expireDue()
            .then((expired) => gates?.desk.expired(expired))
            .catch((error) => logger.warn({ err: error }, "expiry sweep failed")),
        );
      }, 60_000);
      expirySweep.unref();
    },
    stop: () => clearInterval(expirySweep),
  };
  // Which replica runs the schedules is the first thing to know when a digest is missing or comes twice.
  const leading = {
    start: () => logger.info({ identity: scheduler.identity }, "leading: this replica runs the schedules"),
    stop: () => logger.info({ identity: scheduler.identity }, "no longer leading"),
  };
  // One replica refreshes cards, expires requests and runs schedules, so nothing is posted twice.
  const scheduler = createScheduler(
    {
      digests: schedules.digests,
      steps: schedules.steps,
      others: [refresher, chartRedraws, expiry, leading, gates.watcher],
    },
    leadershipFor(config, kc, {
      onError,
      identity,
      ...(config.leaseDurationSeconds ? { leaseDurationSeconds: config.leaseDurationSeconds } : {}),
    }),
    onError,
  );
  const commands = [
    ...subcommands,
    newCommand(deps),
    ...deskCommands(deps),
    chartCommand(deps),
    tracesCommand(deps),
    digestCommand({
      digests: schedules.digests,
      audit,
      store,
      authorizer: deps.authorizer,
      postNow: (channel) => schedules.postDigest(channel),
    }),
    stepsCommand({
      desk: deps.desk,
      store,
      steps: schedules.steps,
      audit,
      authorizer: deps.authorizer,
      approvals: deps.approvals,
    }),
  ];
  registerCommands(slack.app, { logger, inFlight, table: commands });
  registerWizard(slack.app, deps);
  registerDesk(slack.app, deps);
  registerControllerGates(slack.app, deps, gates);
  timer.done("wiring");
  // An unreachable cluster must not keep Slack from answering; readiness reports it, recovery runs later.
  // Interrupted plans are finished only while the people behind them still hold the rights they need.
  await deps.desk
    .recover(recoveryCheck(deps.authorizer))
    .catch((error) => logger.warn({ err: error }, "could not recover interrupted plans at start-up"));
  timer.done("recovery");
  // Every decision and every change the store says was applied (or failed) has exactly one record in the audit
  // trail, even after a crash. Replicas share their trail: one may be between a record and its commit.
  const reconciled = await reconcileAudit(store, audit, {
    now: clock,
    graceMs: config.store === "kubernetes" ? 60_000 : 0,
  });
  if (reconciled > 0)
    logger.warn({ reconciled }, "audit trail: records added for decisions and changes a crash left open");
  timer.done("audit reconcile");
  // The clusters' watches, the chart renderer, the outbox, then the state and the audit trail: each is let go of
  // even when one before it fails to close (the first failure is thrown after), so the DATA_DIR lock is released.
  const closeState = async () => {
    let failure: { error: unknown } | undefined;
    const steps = [
      () => releaseDesk?.close(),
      () => deps.charts.close(),
      () => outbox.stop(),
      () => store.close(),
      () => audit.close(),
    ];
    for (const step of steps)
      await Promise.resolve()
        .then(step)
        .catch((error) => (failure ??= { error }));
    if (failure) throw failure.error;
  };
  try {
    await slack.start();
  } catch (error) {
    // The receiver could not listen (its port taken, say): let go of the state, so the caller may start again.
    await closeState().catch(() => undefined);
    throw error;
  }
  timer.done("Slack receiver");
  // What the clusters serve is read once per process: now, while nobody waits for it, not at the first request.
  const capabilitiesRead = releaseDesk?.readCapabilities() ?? Promise.resolve();
  // Approval requests promised at job creation whose new version became ready while Graydesk was down: opened
  // once serving (a request for the same job meanwhile finds the promise claimed; stop waits for the sweep).
  void inFlight.track(
    deps.promises.sweep().catch((error) => logger.warn({ err: error }, "promised requests sweep failed")),
  );
  scheduler.start();
  outbox.start();
  const trim = idleTrim({
    arrivals: () => ackFirst.arrivals,
    busy: () => inFlight.size > 0,
    gc: lastResortGc(),
    onTrim: (before, after) =>
      logger.debug({ youngBeforeBytes: before, youngAfterBytes: after }, "idle: memory given back"),
  });
  trim.start();
  timer.done("schedules");

  return {
    slack,
    store,
    audit,
    policy,
    deps,
    commands,
    schedules,
    refresher,
    scheduler,
    outbox,
    startup: timer.phases,
    capabilitiesRead,
    async stop() {
      trim.stop();
      await scheduler.stop().catch((error) => logger.warn({ err: error }, "schedules did not stop cleanly"));
      await slack.stop().catch((error) => logger.warn({ err: error }, "receiver did not stop cleanly"));
      const drained = await inFlight.drain(config.shutdownTimeoutMs);
      if (!drained)
        logger.warn({ pending: inFlight.size }, "shutdown timeout reached with work still running");
      await closeState();
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
