import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { signedHeaders, slackSignature } from "./signature.ts";
import { findElement, stateEntry, stateFrom } from "./view-state.ts";

const modal = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../fixtures/slack/valid-modal.json"), "utf8"),
);
const plain = (text: string) => ({ type: "plain_text", text });

describe("stateFrom", () => {
  it("fills every input block, from the entered values or the initial ones", () => {
    const { values } = stateFrom(modal, { note: { note_input: "first canary" } });
    expect(Object.keys(values)).toEqual([
      "service",
      "strategy",
      "weight",
      "note",
      "approvers",
      "checks",
      "when",
    ]);
    expect(values.note?.note_input).toEqual({ type: "plain_text_input", value: "first canary" });
    expect(values.weight?.weight_input).toEqual({ type: "number_input", value: "10" });
    expect(values.strategy?.strategy_select).toEqual({
      type: "static_select",
      selected_option: { text: plain("Canary"), value: "canary" },
    });
    expect(values.service?.service_select).toEqual({ type: "external_select", selected_option: null });
    expect(values.checks?.checks_select).toEqual({ type: "checkboxes", selected_options: [] });
    expect(values.when?.when_date).toEqual({ type: "datepicker", selected_date: null });
    expect(values.wizard_nav).toBeUndefined();
  });

  it.each([
    [
      "static_select by value, inside option groups",
      "strategy",
      "strategy_select",
      "mirror",
      { selected_option: { text: plain("Mirror"), value: "mirror" } },
    ],
    [
      "external_select builds the option",
      "service",
      "service_select",
      "reviews",
      { selected_option: { text: plain("reviews"), value: "reviews" } },
    ],
    [
      "checkboxes by values",
      "checks",
      "checks_select",
      ["latency"],
      { selected_options: [{ text: plain("Latency p99"), value: "latency" }] },
    ],
    ["multi_users_select", "approvers", "approvers_select", ["U0CAROL"], { selected_users: ["U0CAROL"] }],
    ["datepicker", "when", "when_date", "2025-01-31", { selected_date: "2025-01-31" }],
    ["number_input as string", "weight", "weight_input", 25, { value: "25" }],
  ])("shapes %s", (_name, blockId, actionId, entered, expected) => {
    const { values } = stateFrom(modal, { [blockId]: { [actionId]: entered } });
    expect(values[blockId]?.[actionId]).toMatchObject(expected);
  });

  it.each([
    ["an unknown block", { nope: { note_input: "x" } }, "view has no element nope.note_input"],
    ["an unknown action", { note: { nope: "x" } }, "view has no element note.nope"],
    [
      "an option the select does not offer",
      { strategy: { strategy_select: "rollback" } },
      "strategy_select has no option with value rollback",
    ],
  ])("throws on %s", (_name, entered, message) => {
    expect(() => stateFrom(modal, entered)).toThrow(message);
  });

  it("includes a non-input element only when given a value", () => {
    const view = {
      type: "modal",
      blocks: [{ type: "actions", block_id: "a", elements: [{ type: "users_select", action_id: "u" }] }],
    };
    expect(stateFrom(view).values).toEqual({});
    expect(stateFrom(view, { a: { u: "U1" } }).values).toEqual({
      a: { u: { type: "users_select", selected_user: "U1" } },
    });
  });
});

describe("findElement", () => {
  it("finds accessories and names what exists when it cannot find an id", () => {
    const message = {
      blocks: [
        {
          type: "section",
          text: plain("x"),
          accessory: { type: "button", action_id: "go", text: plain("Go") },
        },
      ],
    };
    expect(findElement(message, "go")).toMatchObject({ blockId: "block_0", element: { action_id: "go" } });
    expect(() => findElement(message, "stop")).toThrow("no element with action_id stop (has: block_0.go)");
  });

  it("shapes radio buttons and overflow picks as a selected option", () => {
    const radio = { type: "radio_buttons", action_id: "r", options: [{ text: plain("A"), value: "a" }] };
    expect(stateEntry(radio, "a")).toEqual({
      type: "radio_buttons",
      selected_option: { text: plain("A"), value: "a" },
    });
    expect(stateEntry({ ...radio, type: "overflow" }, "a")).toMatchObject({
      selected_option: { value: "a" },
    });
  });
});

describe("signedHeaders", () => {
  it("matches Slack's documented example signature", () => {
    // The example request from Slack's "Verifying requests from Slack" guide.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it.each([
    ["no overrides", {}, ["x-slack-request-timestamp", "x-slack-signature"]],
    ["no signature", { signature: "none" as const }, []],
    [
      "retry headers",
      { retryNum: 2, retryReason: "http_timeout" },
      ["x-slack-request-timestamp", "x-slack-signature", "x-slack-retry-num", "x-slack-retry-reason"],
    ],
  ])("sends the right headers with %s", (_name, overrides, names) => {
    expect(Object.keys(signedHeaders("s", "a=b", 1_700_000_000_000, overrides))).toEqual(names);
  });

  it("uses the given timestamp and signs with another secret when asked", () => {
    const good = signedHeaders("s", "a=b", 0, { timestamp: 42 });
    const bad = signedHeaders("s", "a=b", 0, { timestamp: 42, signature: "wrong-secret" });
    expect(good["x-slack-request-timestamp"]).toBe("42");
    expect(good["x-slack-signature"]).toBe(slackSignature("s", 42, "a=b"));
    expect(bad["x-slack-signature"]).not.toBe(good["x-slack-signature"]);
  });
});

describe("freePort", () => {
  it("gives a loopback port a server can then listen on", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    expect(server.listening).toBe(true);
    await new Promise((resolve) => server.close(resolve));
  });
});
