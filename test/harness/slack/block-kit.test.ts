import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateHome, validateMessage, validateModal } from "./block-kit.ts";
import { LIMITS } from "./limits.ts";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are mutated freely to break one rule at a time
type Any = any;
const fixture = (name: string): Any =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/slack", name), "utf8"));
const s = (n: number) => "x".repeat(n);
const plain = (text: string) => ({ type: "plain_text", text });
const option = (value: string, text = value) => ({ text: plain(text), value });

describe("valid surfaces", () => {
  it("accepts the reference message, modal and home tab", () => {
    const msg = fixture("valid-message.json");
    expect(validateMessage(msg.blocks, msg.text)).toEqual([]);
    expect(validateModal(fixture("valid-modal.json"))).toEqual([]);
    expect(validateHome(fixture("valid-home.json"))).toEqual([]);
  });

  it.each([
    ["header at the limit", (b: Any) => (b[0].text.text = s(LIMITS.headerText))],
    ["section text at the limit", (b: Any) => (b[1].text.text = s(LIMITS.sectionText))],
    ["button text at the limit", (b: Any) => (b[5].elements[0].text.text = s(LIMITS.buttonText))],
    ["option value at the limit", (b: Any) => (b[5].elements[2].options[0].value = s(LIMITS.optionValue))],
    ["block_id at the limit", (b: Any) => (b[0].block_id = s(LIMITS.blockId))],
  ])("accepts %s", (_name, mutate) => {
    const msg = fixture("valid-message.json");
    mutate(msg.blocks);
    expect(validateMessage(msg.blocks, msg.text)).toEqual([]);
  });

  it("accepts a text-only message", () => {
    expect(validateMessage(undefined, "hello")).toEqual([]);
  });
});

describe("message rules", () => {
  it.each<[string, (b: Any, m: Any) => void, string, string]>([
    [
      "51 blocks",
      (b) => b.push(...Array.from({ length: 45 }, () => ({ type: "divider" }))),
      "blocks_count",
      "blocks",
    ],
    ["header too long", (b) => (b[0].text.text = s(151)), "header_text", "blocks[0].text.text"],
    ["header in mrkdwn", (b) => (b[0].text.type = "mrkdwn"), "text_type", "blocks[0].text.type"],
    ["section text too long", (b) => (b[1].text.text = s(3001)), "section_text", "blocks[1].text.text"],
    ["empty section text", (b) => (b[1].text.text = ""), "text_empty", "blocks[1].text.text"],
    ["section without content", (b) => (b[2] = { type: "section" }), "section_content", "blocks[2]"],
    [
      "11 section fields",
      (b) => (b[1].fields = Array(11).fill(plain("f"))),
      "section_fields_count",
      "blocks[1].fields",
    ],
    [
      "section field too long",
      (b) => (b[1].fields[0].text = s(2001)),
      "section_field_text",
      "blocks[1].fields[0].text",
    ],
    [
      "11 context elements",
      (b) => (b[4].elements = Array(11).fill(plain("c"))),
      "context_elements_count",
      "blocks[4].elements",
    ],
    [
      "26 actions elements",
      (b) =>
        (b[5].elements = Array.from({ length: 26 }, (_, i) => ({
          type: "button",
          action_id: `a${i}`,
          text: plain("b"),
        }))),
      "actions_elements_count",
      "blocks[5].elements",
    ],
    ["empty actions block", (b) => (b[5].elements = []), "actions_elements_count", "blocks[5].elements"],
    [
      "button text too long",
      (b) => (b[5].elements[0].text.text = s(76)),
      "button_text",
      "blocks[5].elements[0].text.text",
    ],
    [
      "button value too long",
      (b) => (b[5].elements[0].value = s(2001)),
      "button_value",
      "blocks[5].elements[0].value",
    ],
    [
      "button url too long",
      (b) => (b[5].elements[0].url = s(3001)),
      "button_url",
      "blocks[5].elements[0].url",
    ],
    [
      "button style",
      (b) => (b[5].elements[0].style = "default"),
      "button_style",
      "blocks[5].elements[0].style",
    ],
    ["button text missing", (b) => delete b[5].elements[1].text, "required", "blocks[5].elements[1].text"],
    [
      "confirm title too long",
      (b) => (b[5].elements[0].confirm.title.text = s(101)),
      "confirm_title",
      "blocks[5].elements[0].confirm.title.text",
    ],
    [
      "confirm text too long",
      (b) => (b[5].elements[0].confirm.text.text = s(301)),
      "confirm_text",
      "blocks[5].elements[0].confirm.text.text",
    ],
    [
      "confirm button too long",
      (b) => (b[5].elements[0].confirm.confirm.text = s(31)),
      "confirm_button",
      "blocks[5].elements[0].confirm.confirm.text",
    ],
    [
      "deny too long",
      (b) => (b[5].elements[0].confirm.deny.text = s(31)),
      "confirm_button",
      "blocks[5].elements[0].confirm.deny.text",
    ],
    [
      "confirm without deny",
      (b) => delete b[5].elements[0].confirm.deny,
      "required",
      "blocks[5].elements[0].confirm.deny",
    ],
    [
      "option text too long",
      (b) => (b[5].elements[2].options[0].text.text = s(76)),
      "option_text",
      "blocks[5].elements[2].options[0].text.text",
    ],
    [
      "option value too long",
      (b) => (b[5].elements[2].options[0].value = s(151)),
      "option_value",
      "blocks[5].elements[2].options[0].value",
    ],
    [
      "option description too long",
      (b) => (b[5].elements[2].options[1].description.text = s(76)),
      "option_description",
      "blocks[5].elements[2].options[1].description.text",
    ],
    [
      "option text in mrkdwn in a select",
      (b) => (b[5].elements[2].options[0].text.type = "mrkdwn"),
      "text_type",
      "blocks[5].elements[2].options[0].text.type",
    ],
    [
      "101 options",
      (b) => (b[5].elements[2].options = Array.from({ length: 101 }, (_, i) => option(`${i}`))),
      "options_count",
      "blocks[5].elements[2].options",
    ],
    [
      "options and option_groups",
      (b) => (b[5].elements[2].option_groups = []),
      "options_or_groups",
      "blocks[5].elements[2]",
    ],
    [
      "placeholder too long",
      (b) => (b[5].elements[2].placeholder.text = s(151)),
      "placeholder",
      "blocks[5].elements[2].placeholder.text",
    ],
    [
      "6 overflow options",
      (b) => (b[1].accessory.options = Array.from({ length: 6 }, (_, i) => option(`${i}`))),
      "options_count",
      "blocks[1].accessory.options",
    ],
    [
      "action_id too long",
      (b) => (b[5].elements[0].action_id = s(256)),
      "action_id_length",
      "blocks[5].elements[0].action_id",
    ],
    [
      "action_id repeated in a block",
      (b) => (b[5].elements[1].action_id = "approve"),
      "action_id_unique",
      "blocks[5].elements[1].action_id",
    ],
    ["block_id too long", (b) => (b[0].block_id = s(256)), "block_id_length", "blocks[0].block_id"],
    ["block_id repeated", (b) => (b[3].block_id = "summary"), "block_id_unique", "blocks[3].block_id"],
    ["image without alt_text", (b) => delete b[3].alt_text, "required", "blocks[3].alt_text"],
    ["image alt_text too long", (b) => (b[3].alt_text = s(2001)), "image_alt_text", "blocks[3].alt_text"],
    ["image url too long", (b) => (b[3].image_url = s(3001)), "image_url", "blocks[3].image_url"],
    [
      "image with url and slack_file",
      (b) => (b[3].slack_file = { id: "F0123456789" }),
      "image_source",
      "blocks[3]",
    ],
    ["image title too long", (b) => (b[3].title.text = s(2001)), "image_title", "blocks[3].title.text"],
    [
      "context image without alt_text",
      (b) => delete b[4].elements[1].alt_text,
      "required",
      "blocks[4].elements[1].alt_text",
    ],
    ["unknown block", (b) => b.push({ type: "table" }), "unknown_block", "blocks[6].type"],
    [
      "unknown element",
      (b) => b[5].elements.push({ type: "slider", action_id: "s" }),
      "unknown_element",
      "blocks[5].elements[3].type",
    ],
    ["bad text type", (b) => (b[1].text.type = "markdown"), "text_type", "blocks[1].text.type"],
    ["text too long", (_b, m) => (m.text = s(40_001)), "message_text", "text"],
  ])("flags %s", (_name, mutate, rule, path) => {
    const msg = fixture("valid-message.json");
    mutate(msg.blocks, msg);
    const violations = validateMessage(msg.blocks, msg.text);
    expect(violations).toContainEqual(expect.objectContaining({ rule, path }));
  });

  it("flags a message without text or blocks", () => {
    expect(validateMessage([], "")).toEqual([expect.objectContaining({ rule: "no_text", path: "text" })]);
  });

  it("applies the 4000 character limit of chat.update and chat.postEphemeral", () => {
    expect(validateMessage(undefined, s(4000), { textLimit: LIMITS.updateText })).toEqual([]);
    expect(validateMessage(undefined, s(4001), { textLimit: LIMITS.updateText })).toEqual([
      expect.objectContaining({ rule: "message_text" }),
    ]);
  });
});

describe("modal rules", () => {
  it.each<[string, (v: Any) => void, string, string]>([
    ["title too long", (v) => (v.title.text = s(25)), "view_title", "title.text"],
    ["title missing", (v) => delete v.title, "required", "title"],
    ["title in mrkdwn", (v) => (v.title.type = "mrkdwn"), "text_type", "title.type"],
    ["submit too long", (v) => (v.submit.text = s(25)), "view_submit", "submit.text"],
    ["close too long", (v) => (v.close.text = s(25)), "view_close", "close.text"],
    ["inputs without submit", (v) => delete v.submit, "submit_required", "submit"],
    [
      "private_metadata too long",
      (v) => (v.private_metadata = s(3001)),
      "private_metadata",
      "private_metadata",
    ],
    ["callback_id too long", (v) => (v.callback_id = s(256)), "callback_id", "callback_id"],
    ["external_id too long", (v) => (v.external_id = s(256)), "external_id", "external_id"],
    ["101 blocks", (v) => v.blocks.push(...Array(93).fill({ type: "divider" })), "blocks_count", "blocks"],
    ["wrong type", (v) => (v.type = "home"), "view_type", "type"],
    [
      "input label too long",
      (v) => (v.blocks[0].label.text = s(2001)),
      "input_label",
      "blocks[0].label.text",
    ],
    ["input hint too long", (v) => (v.blocks[0].hint.text = s(2001)), "input_hint", "blocks[0].hint.text"],
    ["input without element", (v) => delete v.blocks[2].element, "required", "blocks[2].element"],
    ["input without label", (v) => delete v.blocks[2].label, "required", "blocks[2].label"],
    [
      "option group label too long",
      (v) => (v.blocks[1].element.option_groups[0].label.text = s(76)),
      "option_group_label",
      "blocks[1].element.option_groups[0].label.text",
    ],
    [
      "101 option groups",
      (v) =>
        (v.blocks[1].element.option_groups = Array(101).fill({ label: plain("g"), options: [option("a")] })),
      "option_groups_count",
      "blocks[1].element.option_groups",
    ],
    [
      "11 checkboxes",
      (v) => (v.blocks[5].element.options = Array.from({ length: 11 }, (_, i) => option(`${i}`))),
      "options_count",
      "blocks[5].element.options",
    ],
    [
      "max_length over 3000",
      (v) => (v.blocks[3].element.max_length = 3001),
      "input_length",
      "blocks[3].element.max_length",
    ],
    [
      "two focus_on_load",
      (v) => {
        v.blocks[2].element.focus_on_load = true;
        v.blocks[3].element.focus_on_load = true;
      },
      "focus_on_load",
      "blocks[3].element",
    ],
    ["duplicate block_id", (v) => (v.blocks[3].block_id = "weight"), "block_id_unique", "blocks[3].block_id"],
  ])("flags %s", (_name, mutate, rule, path) => {
    const view = fixture("valid-modal.json");
    mutate(view);
    expect(validateModal(view)).toContainEqual(expect.objectContaining({ rule, path }));
  });

  it("rejects something that is not a view", () => {
    expect(validateModal("modal")).toEqual([expect.objectContaining({ rule: "view" })]);
    expect(validateHome(null)).toEqual([expect.objectContaining({ rule: "view" })]);
  });
});

describe("home rules", () => {
  it.each<[string, (v: Any) => void, string, string]>([
    ["101 blocks", (v) => v.blocks.push(...Array(98).fill({ type: "divider" })), "blocks_count", "blocks"],
    ["wrong type", (v) => (v.type = "modal"), "view_type", "type"],
    ["blocks missing", (v) => delete v.blocks, "required", "blocks"],
    [
      "button text too long",
      (v) => (v.blocks[2].elements[0].text.text = s(76)),
      "button_text",
      "blocks[2].elements[0].text.text",
    ],
  ])("flags %s", (_name, mutate, rule, path) => {
    const view = fixture("valid-home.json");
    mutate(view);
    expect(validateHome(view)).toContainEqual(expect.objectContaining({ rule, path }));
  });

  it("accepts exactly 100 blocks", () => {
    const view = fixture("valid-home.json");
    view.blocks.push(...Array(97).fill({ type: "divider" }));
    expect(validateHome(view)).toEqual([]);
  });
});
