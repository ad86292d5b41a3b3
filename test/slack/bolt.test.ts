import * as bolt from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { App, HTTPReceiver, isValidSlackRequest, SocketModeReceiver } from "../../src/slack/bolt.ts";

describe("Bolt's classes from their own modules", () => {
  it("are the very classes and functions Bolt's entry point exports", () => {
    expect(App).toBe(bolt.App);
    expect(HTTPReceiver).toBe(bolt.HTTPReceiver);
    expect(SocketModeReceiver).toBe(bolt.SocketModeReceiver);
    expect(isValidSlackRequest).toBe(bolt.isValidSlackRequest);
  });
});
