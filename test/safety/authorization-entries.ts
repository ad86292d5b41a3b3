import type { Right } from "../../src/approvals/index.ts";
import { TERMINAL_STATES } from "../../src/release/index.ts";
import { encodeListCursor } from "../../src/slack/desk/index.ts";
import { buildShiftModal, buildTakeOverModal } from "../../views/change-modals.ts";
import { buildRejectModal } from "../../views/reject-modal.ts";
import { buildStep, stableInfoOf } from "../../views/wizard/index.ts";
import type { SlackActor } from "../harness/slack/index.ts";
import { until } from "../slack/desk/world.ts";
import {
  type AuthWorld,
  buttonOn,
  CHANNELS,
  IMAGE,
  JOB,
  type Namespace,
  NEUTRAL,
  secondRequester,
  settle,
} from "./authorization-world.ts";

export interface Who {
  user: SlackActor;
  team?: { id: string; domain: string };
}

/** One way into Graydesk: a subcommand (with its arguments), a button, a modal submission or an event. */
export interface Entry {
  /** The subcommand name, action id, callback id or event type this row drives. */
  id: string;
  kind: "command" | "button" | "submission" | "event";
  /** What the row is, in words: `steps pause`, `approve`. */
  label: string;
  /** The right it takes; `none` for help, which reads nothing. */
  right: Right | "none";
  /** Prepares what the entry acts on and returns it (a request id, a release id); runs before the snapshot. */
  setup?(w: AuthWorld, ns: Namespace): Promise<string>;
  run(w: AuthWorld, ns: Namespace, who: Who, prepared: string): Promise<unknown>;
}

const command = (label: string, right: Entry["right"], text: (ns: Namespace) => string, channel?: string) =>
  ({
    id: label.split(" ")[0] as string,
    kind: "command",
    label,
    right,
    run: (w, ns, who) =>
      w.slack.command("/release", text(ns), {
        ...who,
        channel: { id: channel ?? CHANNELS[ns], name: "releases" },
      }),
  }) satisfies Entry;

const jobButton = (id: string, right: Right): Entry => ({
  id,
  kind: "button",
  label: id,
  right,
  run: (w, ns, who) => w.slack.clickButton(buttonOn(CHANNELS[ns], id, w.jobs[ns].id), id, who),
});

const HOME = { id: "T0GRAYDESK" };

/** A pending request on the namespace's job, asked by its second requester (so no row approves its own). */
async function pendingRequest(w: AuthWorld, ns: Namespace): Promise<string> {
  const { approvals } = w.app.graydesk.deps;
  const open = approvals.gate
    .pendingFor(w.jobs[ns].id)
    .find((r) => r.requestedBy === secondRequester(ns).user);
  if (open) return open.id;
  const request = await approvals.requestChange({
    jobId: w.jobs[ns].id,
    change: { kind: "shift", traffic: { kind: "weights", weights: { v1: 95, v2: 5 } } },
    actor: { ...secondRequester(ns), team: HOME.id },
  });
  await settle(w);
  return request.id;
}

/** A request that was withdrawn, so Re-request may ask for it again. */
async function closedRequest(w: AuthWorld, ns: Namespace): Promise<string> {
  const id = await pendingRequest(w, ns);
  const actor = { ...secondRequester(ns), team: HOME.id };
  await w.app.graydesk.deps.approvals.decide({ requestId: id, actor, choice: "reject" });
  await settle(w);
  return id;
}

/**
 * A pending request to deploy a new version (policy approveNewVersions, on by default), asked by the second
 * requester on a service of the namespace with no live job: nothing of it is in the cluster yet.
 */
async function pendingNewVersion(w: AuthWorld, ns: Namespace): Promise<string> {
  const { desk, approvals } = w.app.graydesk.deps;
  // A version an earlier row approved finishes coming up first: the snapshot must not catch it moving.
  await until(() => !desk.jobs(ns).some((j) => j.state === "deploying"), 10_000);
  await settle(w);
  const waiting = desk.jobs(ns).find((j) => j.state === "awaiting-approval");
  const open = waiting ? approvals.gate.pendingFor(waiting.id)[0] : undefined;
  if (open) return open.id;
  const busy = new Set(
    desk
      .jobs(ns)
      .filter((j) => !TERMINAL_STATES.includes(j.state))
      .map((j) => j.service.name),
  );
  const service = ["ratings", "details", "productpage"].find((name) => !busy.has(name));
  if (!service) throw new Error(`no service of ${ns} is free for a new version`);
  const actor = { ...secondRequester(ns), team: HOME.id };
  const job = await desk.createJob(
    {
      name: `${service}-next-${desk.jobs(ns).length}`,
      namespace: ns,
      app: "bookinfo",
      service,
      strategy: "canary",
      newVersion: {
        version: "v2",
        settings: {
          replicas: 1,
          containers: {
            mode: "replace-image",
            images: { [service]: `docker.io/istio/examples-bookinfo-${service}-v2:1.20.3` },
          },
        },
      },
      channel: CHANNELS[ns],
    },
    actor.user,
    { approval: true },
  );
  const request = await approvals.requestNewVersion({ jobId: job.id, actor, channel: CHANNELS[ns] });
  await settle(w);
  return request.id;
}

const release = (ns: Namespace) => `flagger/${ns}/podinfo`;

/** A pending gate request on the namespace's Flagger canary, asked through its Request rollback button. */
async function pendingGate(w: AuthWorld, ns: Namespace): Promise<string> {
  const find = () =>
    Object.values(w.app.graydesk.store.data().approvals).find(
      (r) => r.releaseId === release(ns) && r.state === "pending",
    )?.id as string | undefined;
  if (!find()) {
    const asker = { user: { id: secondRequester(ns).user, name: "asker" } };
    await w.slack.clickButton(
      buttonOn(CHANNELS[ns], "gated_request_rollback", release(ns)),
      "gated_request_rollback",
      asker,
    );
    await settle(w);
  }
  return until(find);
}

export const ENTRIES: Entry[] = [
  command("help", "none", () => "help"),
  command("new", "request", (ns) => `new canary ${ns}/reviews version=v3 image=${IMAGE} name=reviews-v3`),
  command("list", "view", (ns) => `list ${ns}`),
  command("status", "view", (ns) => `status ${ns}/${JOB}`),
  command("shift", "request", (ns) => `shift ${ns}/${JOB} 10`),
  command("takeover", "request", (ns) => `takeover ${ns}/${JOB} v2`),
  command("rollback", "request", (ns) => `rollback ${ns}/${JOB}`),
  command("offline", "request", (ns) => `offline ${ns}/${JOB} v1`),
  command("history", "view", (ns) => `history ${ns}/${JOB}`),
  command("abandon", "request", (ns) => `abandon ${ns}/${JOB}`),
  command("retry", "request", (ns) => `retry ${ns}/${JOB}`),
  {
    ...command("config namespace", "request", (ns) => `config namespace ${ns}`, NEUTRAL),
    // The neutral channel starts without a namespace for every row.
    async setup(w) {
      await w.app.graydesk.store.update((d) => {
        delete d.channels[NEUTRAL];
      });
      return "";
    },
  },
  command("chart", "view", (ns) => `chart ${ns}/${JOB}`),
  command("traces", "view", (ns) => `traces ${ns}/${JOB}`),
  command("digest", "view", () => "digest"),
  command("digest schedule", "request", () => "digest 0 9 * * 1-5 UTC"),
  command("digest now", "request", () => "digest now"),
  command("steps", "view", (ns) => `steps ${ns}/${JOB}`),
  command("steps set", "request", (ns) => `steps ${ns}/${JOB} 10,50,100 every 30m`),
  command("steps pause", "request", (ns) => `steps ${ns}/${JOB} pause`),
  command("steps resume", "request", (ns) => `steps ${ns}/${JOB} resume`),
  command("steps cancel", "request", (ns) => `steps ${ns}/${JOB} cancel`),

  jobButton("job_shift", "request"),
  jobButton("job_take_over", "request"),
  jobButton("job_rollback", "request"),
  jobButton("job_take_offline", "request"),
  jobButton("job_show_objects", "view"),
  jobButton("job_retry", "request"),
  jobButton("job_abandon", "request"),
  jobButton("job_chart", "view"),
  jobButton("job_traces", "view"),
  jobButton("breach_request_rollback", "request"),
  {
    // The next page of `/release list <namespace>`: the same view right as the command.
    id: "job_list_more",
    kind: "button",
    label: "job_list_more",
    right: "view",
    run: (w, ns, who) => {
      const cursor = encodeListCursor({ namespace: ns, after: "" });
      return w.slack.clickButton(buttonOn(CHANNELS[ns], "job_list_more", cursor), "job_list_more", who);
    },
  },
  ...(["approval_approve", "approval_reject", "approval_approve_despite"] as const).map(
    (id): Entry => ({
      id,
      kind: "button",
      label: id,
      right: "approve",
      setup: pendingRequest,
      run: (w, ns, who, request) => w.slack.clickButton(buttonOn(CHANNELS[ns], id, request), id, who),
    }),
  ),
  {
    // Approving a new version deploys it: the same button and right as any change.
    id: "approval_approve",
    kind: "button",
    label: "approval_approve (new version)",
    right: "approve",
    setup: pendingNewVersion,
    run: (w, ns, who, request) =>
      w.slack.clickButton(buttonOn(CHANNELS[ns], "approval_approve", request), "approval_approve", who),
  },
  {
    id: "reject_modal",
    kind: "submission",
    label: "reject_modal (new version)",
    right: "approve",
    setup: pendingNewVersion,
    run: (w, ns, who, request) => {
      const found = w.app.graydesk.deps.approvals.gate.get(request);
      if (!found) throw new Error(`no request ${request}`);
      const view = buildRejectModal(found, { withdraw: false, channel: CHANNELS[ns] });
      return w.slack.submitView(
        { ...view, id: "V0REJECTNEW" },
        { reject_reason: { reject_reason_value: "not this image" } },
        who,
      );
    },
  },
  {
    id: "approval_show_objects",
    kind: "button",
    label: "approval_show_objects",
    right: "view",
    setup: pendingRequest,
    run: (w, ns, who, request) =>
      w.slack.clickButton(
        buttonOn(CHANNELS[ns], "approval_show_objects", request),
        "approval_show_objects",
        who,
      ),
  },
  {
    id: "approval_rerequest",
    kind: "button",
    label: "approval_rerequest",
    right: "request",
    setup: closedRequest,
    run: (w, ns, who, request) =>
      w.slack.clickButton(buttonOn(CHANNELS[ns], "approval_rerequest", request), "approval_rerequest", who),
  },
  ...(["gated_approve", "gated_reject"] as const).map(
    (id): Entry => ({
      id,
      kind: "button",
      label: id,
      right: "approve",
      setup: pendingGate,
      run: (w, ns, who, request) => w.slack.clickButton(buttonOn(CHANNELS[ns], id, request), id, who),
    }),
  ),
  {
    // Abort changes the Rollout at once, with no request in between: it takes the right to approve.
    id: "gated_abort",
    kind: "button",
    label: "gated_abort",
    right: "approve",
    run: (w, ns, who) =>
      w.slack.clickButton(buttonOn(CHANNELS[ns], "gated_abort", release(ns)), "gated_abort", who),
  },
  ...(["gated_request_rollback", "gated_promote_full"] as const).map(
    (id): Entry => ({
      id,
      kind: "button",
      label: id,
      right: "request",
      run: (w, ns, who) => w.slack.clickButton(buttonOn(CHANNELS[ns], id, release(ns)), id, who),
    }),
  ),

  {
    id: "shift_modal",
    kind: "submission",
    label: "shift_modal",
    right: "request",
    run: (w, ns, who) => {
      const view = { ...buildShiftModal(w.jobs[ns], { jobId: w.jobs[ns].id, channel: CHANNELS[ns] }) };
      return w.slack.submitView(
        { ...view, id: "V0SHIFT" },
        { shift_traffic: { shift_traffic_value: "30" } },
        who,
      );
    },
  },
  {
    id: "take_over_modal",
    kind: "submission",
    label: "take_over_modal",
    right: "request",
    run: (w, ns, who) => {
      const view = buildTakeOverModal(w.jobs[ns], { jobId: w.jobs[ns].id, channel: CHANNELS[ns] });
      return w.slack.submitView(
        { ...view, id: "V0TAKEOVER" },
        { take_over_version: { take_over_version_value: "v2" } },
        who,
      );
    },
  },
  {
    // The Reject dialog decides on submit: the same right as the Reject button that opens it.
    id: "reject_modal",
    kind: "submission",
    label: "reject_modal",
    right: "approve",
    setup: pendingRequest,
    run: (w, ns, who, request) => {
      const found = w.app.graydesk.deps.approvals.gate.get(request);
      if (!found) throw new Error(`no request ${request}`);
      const view = buildRejectModal(found, { withdraw: false, channel: CHANNELS[ns] });
      return w.slack.submitView(
        { ...view, id: "V0REJECT" },
        { reject_reason: { reject_reason_value: "not this week" } },
        who,
      );
    },
  },
  {
    id: "wizard_step",
    kind: "submission",
    label: "wizard_step (Create)",
    right: "request",
    async run(w, ns, who) {
      const service = (await w.app.graydesk.deps.desk.services(ns)).find((s) => s.name === "reviews");
      if (!service) throw new Error(`no reviews in ${ns}`);
      const view = buildStep({
        step: "strategy",
        channel: CHANNELS[ns],
        strategy: "canary",
        fixedStrategy: true,
        name: "reviews-wizard",
        namespace: ns,
        app: service.app,
        service: "reviews",
        stable: stableInfoOf(service),
        version: "v3",
        replicas: 1,
        mode: "replace-image",
        images: { reviews: IMAGE },
        traffic: { canaryBy: "weights", percent: 20 },
      });
      return w.slack.submitView({ ...view, id: "V0WIZARD" }, {}, who);
    },
  },
  {
    id: "app_home_opened",
    kind: "event",
    label: "App Home",
    right: "view",
    run: (w, _ns, who) => w.slack.appHomeOpened(who),
  },
];

/**
 * Ids in views/ids.ts that are not ways in: block ids, inputs read with a submission, and the wizard's form
 * controls (they redraw the modal and read nothing the person may not see). A new id a listener in src/
 * answers must be added to a row above or here, with its reason, or the completeness test fails.
 */
export const NOT_ENTRY_POINTS: Record<string, string[]> = {
  "block ids of messages, cards and Home": [
    ...["help_header", "help_intro", "help_commands", "error_section"],
    ...[
      "job_card_header",
      "job_card_title",
      "job_card_state",
      "job_card_unreachable",
      "job_card_versions",
      "job_card_split",
      "job_card_pending",
    ],
    ...["job_card_health", "job_card_telemetry_off", "job_card_chart", "job_card_actions"],
    "job_card_unreachable",
    ...["breach_section", "breach_actions", "objects_object"],
    ...["approval_title", "approval_summary", "approval_diff", "approval_notes", "approval_expiry"],
    ...["approval_outcome", "approval_actions", "approval_evidence", "approval_verdict", "approval_steps"],
    "approval_objects_actions",
    "approval_new_version",
    "approval_links",
    ...["gated_title", "gated_facts", "gated_request", "gated_request_actions", "gated_actions"],
    ...["desk_message_section", "desk_message_context", "desk_message_actions"],
    ...["home_header", "home_jobs", "home_waiting", "home_activity", "home_empty", "home_hidden"],
  ],
  "inputs read with their modal's submission (a row above)": [
    ...["shift_traffic", "shift_traffic_value", "take_over_version", "take_over_version_value"],
    ...["reject_about", "reject_reason", "reject_reason_value"],
  ],
  "a modal without a submit button (Show objects)": ["objects_modal"],
  "a link button (Open on Home's waiting requests): Slack opens the message, the app only acks": [
    "home_open_request",
  ],
  "wizard form controls and sub-forms: they redraw the modal; Create (wizard_step) is the row": [
    ...["wizard_container", "wizard_advanced", "wizard_progress", "wizard_nav", "wizard_back"],
    ...["wizard_strategy", "wizard_name", "wizard_namespace", "wizard_service", "wizard_service_info"],
    ...[
      "wizard_version",
      "wizard_replicas",
      "wizard_containers_mode",
      "wizard_image",
      "wizard_container_list",
    ],
    ...[
      "wizard_add_container",
      "wizard_edit_container",
      "wizard_advanced_container",
      "wizard_remove_container",
    ],
    ...["wizard_container_name", "wizard_container_type", "wizard_container_image", "wizard_pull_policy"],
    ...["wizard_cpu_request", "wizard_cpu_limit", "wizard_memory_request", "wizard_memory_limit"],
    ...["wizard_ports", "wizard_probe", "wizard_probe_timing", "wizard_post_start", "wizard_pre_stop"],
    ...["wizard_command", "wizard_args", "wizard_env", "wizard_access", "wizard_run_as_user"],
    ...["wizard_run_as_group", "wizard_selinux", "wizard_cap_add", "wizard_cap_drop", "wizard_timezone"],
    ...["wizard_serve", "wizard_canary_by", "wizard_percent", "wizard_cond_kind", "wizard_cond_name"],
    ...["wizard_cond_match", "wizard_cond_value", "wizard_add_condition", "wizard_remove_condition"],
    ...["wizard_oses", "wizard_mirror", "wizard_working", "wizard_notice", "wizard_router"],
    // Registry search and default ports ask job.create of the form's namespace first (test/e2e/registry-wizard).
    ...[
      "wizard_pull_secret",
      "wizard_default_ports",
      "wizard_ports_note",
      "wizard_env_from",
      "wizard_mounts",
    ],
  ],
};
