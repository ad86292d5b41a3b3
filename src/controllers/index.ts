// Approval gates for the progressive-delivery controllers teams already run: Flagger's webhooks and Argo Rollouts' pauses.
import type { App, CustomRoute } from "@slack/bolt";
import { type ApprovalGate, cachedGroups, Permissions, type Policy } from "../approvals/index.ts";
import type { Logger } from "../log.ts";
import type { SlackDeps } from "../slack/deps.ts";
import type { SlackOutbox } from "../slack/outbox.ts";
import type { AuditLog, Store } from "../store/index.ts";
import { ArgoGates, type RolloutAccess } from "./argo/argo-gates.ts";
import { type RolloutWatchApi, rolloutWatcher } from "./argo/rollout-watcher.ts";
import { FlaggerGates } from "./flagger/flagger-gates.ts";
import { flaggerRoutes } from "./flagger/routes.ts";
import { GateCards } from "./gate-cards.ts";
import { type CarryOut, GateDesk } from "./gate-desk.ts";
import { GatedReleases } from "./gated-releases.ts";
import { registerGateActions } from "./slack-actions.ts";
import type { Controller } from "./types.ts";

export { GateDesk } from "./gate-desk.ts";
export { GatedReleases } from "./gated-releases.ts";
export { CONTROLLER_NAMES, type Controller, type GatedRelease } from "./types.ts";

export interface ControllerGateParts {
  app: App;
  gate: ApprovalGate;
  policy: Policy;
  store: Store;
  audit: AuditLog;
  outbox: SlackOutbox;
  logger: Logger;
  clock: () => Date;
  gateTokens: Record<string, string>;
  /** Argo Rollouts: reads, watches and patches Rollouts (RolloutsClient). */
  rollouts: RolloutAccess & RolloutWatchApi;
  /** The namespaces whose Rollouts are followed: those the policy names. */
  namespaces: string[];
}

export interface ControllerGates {
  desk: GateDesk;
  flagger: FlaggerGates;
  argo: ArgoGates;
  /** Follows the managed namespaces' Rollouts; run by the leader only. */
  watcher: { start(): void; stop(): void };
}

/** Builds the gates on the approval gate, policy, audit log and outbox the rest of Graydesk uses. */
export function createControllerGates(parts: ControllerGateParts): ControllerGates {
  const { app, store, logger, clock } = parts;
  const releases = new GatedReleases(store);
  const cards = new GateCards({ store, releases, outbox: parts.outbox, logger });
  const permissions = new Permissions(
    cachedGroups(
      async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
      60_000,
      () => clock().getTime(),
    ),
  );
  const carryOut: Partial<Record<Controller, CarryOut>> = {};
  const desk = new GateDesk({
    gate: parts.gate,
    permissions,
    policy: parts.policy,
    store,
    audit: parts.audit,
    releases,
    cards,
    logger,
    clock,
    carryOut,
  });
  const flagger = new FlaggerGates({ desk, tokens: parts.gateTokens, logger, clock });
  const argo = new ArgoGates({ desk, rollouts: parts.rollouts, logger, clock });
  carryOut["argo-rollouts"] = argo.carryOut;
  const watcher = rolloutWatcher({
    api: parts.rollouts,
    namespaces: parts.namespaces,
    seen: (rollout) => argo.seen(rollout),
    logger,
  });
  return { desk, flagger, argo, watcher };
}

/** The HTTP routes Flagger calls; they exist before the gates do, so they look them up per call. */
export function controllerRoutes(
  gates: () => ControllerGates | undefined,
  logger: Logger,
  track?: (work: Promise<void>) => unknown,
): CustomRoute[] {
  return flaggerRoutes(() => gates()?.flagger, logger, track);
}

export function registerControllerGates(
  app: App,
  deps: Pick<SlackDeps, "logger" | "inFlight" | "authorizer">,
  gates: ControllerGates,
): void {
  registerGateActions(app, deps, {
    desk: gates.desk,
    abort: (releaseId, user) => gates.argo.abort(releaseId, user),
  });
}
