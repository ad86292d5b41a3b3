// Deterministic garbage for the Slack receiver: every request a forger, a replay, a broken client or a hostile
// user could send. Same seed, same requests, so a failure can be replayed.
import { readFileSync } from "node:fs";
import { ids } from "../../views/ids.ts";
import type { SignOverrides } from "../harness/slack/index.ts";

const FIXTURE = new URL("../fixtures/safety/injections.json", import.meta.url);
export const INJECTIONS: string[] = JSON.parse(readFileSync(FIXTURE, "utf8")).strings;

/** Markup that must never reach Slack unescaped from user input: it would ping people or fake links. */
export const FORBIDDEN_ECHOES = [
  "<!everyone>",
  "<!channel>",
  "<!here",
  "<@U0MALLORY>",
  "<!subteam^S0EVIL",
  "<script>",
];

export interface BadRequest {
  kind: string;
  body: string;
  contentType: string;
  sign?: SignOverrides;
  /** Statuses this request may be answered with. */
  expect: number[];
}

/** mulberry32: small, fast and the same on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Context {
  user: { id: string; name: string };
  channel: string;
  teamId: string;
  appId: string;
  /** A real job id, so known buttons carry values that reach the desk. */
  jobId: string;
  responseUrl(): string;
  triggerId(): string;
}

/**
 * The requests one at a time, made as they are taken: a trigger id or response_url in one is issued just before it
 * is sent, as Slack issues them when a person acts, not when the run began.
 */
export function* badRequests(count: number, seed: number, ctx: Context): Generator<BadRequest> {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = () => {
    const r = random();
    if (r < 0.6) return pick(INJECTIONS);
    if (r < 0.75) return pick(INJECTIONS).repeat(1 + Math.floor(random() * 300));
    if (r < 0.85) return "x".repeat(10_000);
    if (r < 0.9) return "A".repeat(100_000);
    return `${pick(INJECTIONS)} ${pick(INJECTIONS)}`;
  };
  const weird = (): unknown => pick([null, 42, -1, true, [], [text()], { value: text() }, text(), undefined]);
  const team = { id: ctx.teamId, domain: "graydesk-test" };
  const user = { id: ctx.user.id, name: ctx.user.name, username: ctx.user.name, team_id: ctx.teamId };
  const base = { team, user, api_app_id: ctx.appId, token: "graydesk-verification-token" };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const payload = (p: unknown): BadRequest => ({
    kind: "payload",
    body: form({ payload: JSON.stringify(p) }),
    contentType: "application/x-www-form-urlencoded",
    // 400: a shape Slack never sends; 404: Bolt's answer when no listener takes it (an unknown modal).
    expect: [200, 400, 404],
  });
  const command = (words: string): BadRequest => ({
    kind: "command",
    body: form({
      token: "graydesk-verification-token",
      team_id: ctx.teamId,
      team_domain: "graydesk-test",
      channel_id: ctx.channel,
      channel_name: "releases",
      user_id: ctx.user.id,
      user_name: ctx.user.name,
      command: "/release",
      text: words,
      api_app_id: ctx.appId,
      response_url: ctx.responseUrl(),
      trigger_id: `1.1.${Math.floor(random() * 1e9)}`,
    }),
    contentType: "application/x-www-form-urlencoded",
    expect: [200],
  });
  const subcommands = [
    "shift",
    "takeover",
    "offline",
    "status",
    "retry",
    "abandon",
    "config namespace",
    "new",
  ];
  const buttons = [...Object.values(ids.jobCard), ...Object.values(ids.approval), ids.breach.requestRollback];
  const callbacks = [
    ids.shiftModal.callback,
    ids.takeOverModal.callback,
    ids.wizard.callback,
    ids.wizard.containerCallback,
    ids.wizard.advancedCallback,
    "no_such_modal",
  ];

  const makers: Array<() => BadRequest> = [
    () => ({ ...command("status"), kind: "unsigned", sign: { signature: "none" }, expect: [401] }),
    () => ({
      ...command("status"),
      kind: "wrong signature",
      sign: { signature: "wrong-secret" },
      expect: [401],
    }),
    () => ({
      ...command("status"),
      kind: "forged v0",
      sign: { signature: `v0=${"0".repeat(64)}` },
      expect: [401],
    }),
    () => ({
      ...command("status"),
      kind: "replayed",
      sign: { timestamp: Math.floor(Date.now() / 1000) - 360 - Math.floor(random() * 1e6) },
      expect: [401],
    }),
    () => ({
      ...command("status"),
      kind: "timestamp not a number",
      sign: { timestamp: Number.NaN },
      expect: [401],
    }),
    () => ({
      kind: "malformed form",
      body: pick(["%%%", "payload=%ZZ", "=&=&", "a".repeat(5000), "\u0000\u0001", "payload"]),
      contentType: "application/x-www-form-urlencoded",
      expect: [200, 400, 401, 404],
    }),
    () => ({
      kind: "malformed JSON payload",
      body: form({ payload: pick(["{", "[1,2", "null", "42", '"s"', '{"type":', text()]) }),
      contentType: "application/x-www-form-urlencoded",
      expect: [200, 400, 401, 404],
    }),
    () => ({
      kind: "malformed JSON body",
      body: pick(["{", "[]", "null", '{"type":"event_callback"}', '{"type":"url_verification"}', text()]),
      contentType: "application/json",
      expect: [200, 400, 401, 404],
    }),
    () => ({
      ...payload({
        ...base,
        type: pick(["nonsense", "", 42, null, "interactive_message", "dialog_submission"]),
      }),
      kind: "unknown type",
      expect: [200, 400, 401, 404],
    }),
    () => command(`${pick(subcommands)} ${text()}`),
    () => command(text()),
    () => command(`${pick(subcommands)} ${pick(INJECTIONS)} ${pick(INJECTIONS)}`),
    () =>
      command(
        `config namespace ${pick(["../../etc/passwd", "bookinfo/../kube-system", "<!everyone>", text()])}`,
      ),
    () =>
      command(
        `new canary ${pick(INJECTIONS)}/${pick(INJECTIONS)} name=${pick(INJECTIONS)} image=${pick(INJECTIONS)}`,
      ),
    () =>
      payload({
        ...base,
        type: "block_actions",
        trigger_id: ctx.triggerId(),
        channel: { id: ctx.channel, name: "releases" },
        container: { type: "message", channel_id: ctx.channel, message_ts: "1.2" },
        response_url: pick([ctx.responseUrl(), "", "not a url", "http://127.0.0.1:9/nowhere"]),
        actions: [
          {
            type: "button",
            action_id: random() < 0.3 ? text().slice(0, 255) : pick(buttons),
            block_id: "b",
            value: pick([ctx.jobId, text(), "", `${ctx.jobId}${pick(INJECTIONS)}`]),
            action_ts: "1.2",
          },
        ],
      }),
    () =>
      payload({
        ...base,
        type: "block_actions",
        trigger_id: "1.1.garbage",
        actions: pick([[], null, "x", [{}], [{ action_id: null, value: weird() }]]),
      }),
    () =>
      payload({
        ...base,
        type: "view_submission",
        trigger_id: "1.1.garbage",
        view: {
          id: "V0GARBAGE",
          type: "modal",
          callback_id: pick(callbacks),
          private_metadata: pick([
            text(),
            "{",
            JSON.stringify({ jobId: ctx.jobId, channel: pick(INJECTIONS) }),
            JSON.stringify({ jobId: pick(INJECTIONS) }),
            JSON.stringify(weird()),
            "draft:00000000-0000-0000-0000-000000000000",
          ]),
          hash: "1.h",
          ...(random() < 0.2
            ? {}
            : {
                state: pick([
                  null,
                  { values: null },
                  { values: [] },
                  {
                    values: {
                      [ids.shiftModal.block]: {
                        [ids.shiftModal.input]: { type: "plain_text_input", value: weird() },
                      },
                    },
                  },
                  {
                    values: {
                      [ids.takeOverModal.block]: { [ids.takeOverModal.input]: { selected_option: weird() } },
                    },
                  },
                  { values: { [ids.wizard.name]: { [ids.wizard.name]: { value: text() } } } },
                ]),
              }),
        },
      }),
    () =>
      payload({
        ...base,
        type: "view_closed",
        view: { id: "V0GARBAGE", callback_id: pick(callbacks), private_metadata: text() },
      }),
    () =>
      payload({
        ...base,
        type: "block_suggestion",
        action_id: pick([ids.wizard.namespace, ids.wizard.service]),
        block_id: "b",
        value: text(),
        view: { id: "V0", private_metadata: text() },
      }),
  ];
  for (let i = 0; i < count; i++) yield pick(makers)();
}
