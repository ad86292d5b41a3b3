import type { Authorizer, Policy } from "../approvals/index.ts";
import type { ReleaseDesk } from "../desk/types.ts";
import type { Logger } from "../log.ts";
import type { AuditLog, Store } from "../store/index.ts";
import type { HealthWatch, Telemetry } from "../telemetry/index.ts";
import type { ApprovalDesk, Promises } from "./approvals/index.ts";
import type { InFlight } from "./in-flight.ts";
import type { JobCards } from "./job-card.ts";
import type { JobCharts } from "./live/charts.ts";

/** The time as Graydesk sees it; tests pass a movable one to expire approval requests. */
export type Clock = () => Date;

/** What every Slack listener folder gets from the composition root (`registerWizard`, `registerDesk`). */
export interface SlackDeps {
  logger: Logger;
  inFlight: InFlight;
  desk: ReleaseDesk;
  approvals: ApprovalDesk;
  /** The approval requests promised at job creation, opened once each new version is ready. */
  promises: Promises;
  cards: JobCards;
  store: Store;
  audit: AuditLog;
  policy: Policy;
  /** The one authorization decision every entry point asks first (actor × action × namespace). */
  authorizer: Authorizer;
  clock: Clock;
  /** Live health, trace links and charts (answers "not configured" without PROMETHEUS_URL / JAEGER_URL). */
  telemetry: Telemetry;
  charts: JobCharts;
  /** Each live job's analysis checks since its last traffic change (recorded by the card refresher). */
  watch: HealthWatch;
}
