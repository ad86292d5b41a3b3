import { describe, expect, it } from "vitest";
import {
  actionFor,
  blockActions,
  blockSuggestion,
  commandFields,
  eventCallback,
  type RequestOrigin,
  viewClosed,
} from "./interaction-payloads.ts";
import { findElement } from "./view-state.ts";

const origin: RequestOrigin = {
  user: { id: "U0ALICE", name: "alice" },
  channel: { id: "C0RELEASES", name: "releases" },
  team: { id: "T0GRAYDESK", domain: "graydesk-test" },
  appId: "A0GRAYDESK",
  verificationToken: "vt",
};
const plain = (text: string) => ({ type: "plain_text", text });
const button = {
  type: "button",
  action_id: "approve",
  value: "job-1",
  style: "primary",
  text: plain("Approve"),
};
const blocks = [{ type: "actions", block_id: "approval", elements: [button] }];

describe("interaction payloads", () => {
  it("gives a slash command every field Slack sends", () => {
    expect(Object.keys(commandFields(origin, "/release", "status", "1.2.ab", "http://r")).sort()).toEqual(
      [
        "api_app_id",
        "channel_id",
        "channel_name",
        "command",
        "is_enterprise_install",
        "response_url",
        "team_domain",
        "team_id",
        "text",
        "token",
        "trigger_id",
        "user_id",
        "user_name",
      ].sort(),
    );
  });

  it("reports a click on a channel message with the message container and a response_url", () => {
    const message = { channel: "C1", ts: "1700000000.000100", text: "x", blocks };
    const action = actionFor(findElement(message, "approve"), undefined, 1_700_000_000_500);
    const payload = blockActions(origin, message, [action], "1.2.ab", "http://r");
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U0ALICE", username: "alice", team_id: "T0GRAYDESK" },
      container: { type: "message", message_ts: "1700000000.000100", channel_id: "C1", is_ephemeral: false },
      channel: { id: "C1" },
      message: { ts: "1700000000.000100", text: "x" },
      response_url: "http://r",
      trigger_id: "1.2.ab",
      actions: [
        { type: "button", action_id: "approve", block_id: "approval", value: "job-1", style: "primary" },
      ],
    });
    expect(action.action_ts).toBe("1700000000.500000");
  });

  it("marks a click on an ephemeral message and leaves the message out, as Slack does", () => {
    const ephemeral = { channel: "C1", user: "U0ALICE", message_ts: "1700000000.000200", blocks };
    const payload = blockActions(origin, ephemeral, [], "1.2.ab", "http://r");
    expect(payload.container).toEqual({
      type: "message",
      message_ts: "1700000000.000200",
      channel_id: "C1",
      is_ephemeral: true,
    });
    expect(payload.message).toBeUndefined();
  });

  it("reports a click in a view with the view container, its state and no response_url", () => {
    const view = { type: "modal", id: "V1", callback_id: "c", blocks };
    const payload = blockActions(origin, view, [], "1.2.ab", "");
    expect(payload).toMatchObject({
      container: { type: "view", view_id: "V1" },
      view: { id: "V1", state: { values: {} } },
    });
    expect(payload.response_url).toBeUndefined();
    expect(viewClosed(origin, view)).toMatchObject({
      type: "view_closed",
      is_cleared: false,
      view: { id: "V1" },
    });
  });

  it("asks for options with the typed value", () => {
    const view = {
      type: "modal",
      id: "V1",
      blocks: [
        {
          type: "input",
          block_id: "svc",
          label: plain("S"),
          element: { type: "external_select", action_id: "pick" },
        },
      ],
    };
    expect(blockSuggestion(origin, view, findElement(view, "pick"), "rev")).toMatchObject({
      type: "block_suggestion",
      action_id: "pick",
      block_id: "svc",
      value: "rev",
      container: { type: "view", view_id: "V1" },
    });
  });

  it("wraps events in an event_callback authorised for the bot", () => {
    const body = eventCallback(
      origin,
      "U0BOT",
      { type: "app_home_opened", user: "U0ALICE" },
      1_700_000_000_000,
    );
    expect(body).toMatchObject({
      type: "event_callback",
      team_id: "T0GRAYDESK",
      event: { type: "app_home_opened", user: "U0ALICE", event_ts: "1700000000.000000" },
      event_time: 1_700_000_000,
      authorizations: [{ user_id: "U0BOT", is_bot: true }],
    });
    expect(body.event_id).toMatch(/^Ev/);
  });
});
