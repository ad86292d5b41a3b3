import { isRecord, type Json } from "./block-kit-elements.ts";

/** What a test says the user entered: `{ block_id: { action_id: value } }`; option values by their `value`. */
export type EnteredValues = Record<string, Record<string, unknown>>;
export type ViewStateValues = Record<string, Record<string, Json>>;

const blocksOf = (surface: Json): Json[] =>
  Array.isArray(surface.blocks) ? surface.blocks.filter(isRecord) : [];

/** Slack gives blocks without an id a generated one; the harness uses the block's position. */
export const blockIdOf = (block: Json, index: number): string =>
  typeof block.block_id === "string" ? block.block_id : `block_${index}`;

export interface FoundElement {
  blockId: string;
  block: Json;
  element: Json;
}

/** Every element with an action_id in a message or view, with the block it sits in. */
export function elementsOf(surface: Json): FoundElement[] {
  return blocksOf(surface).flatMap((block, i) => {
    const candidates = [
      ...(Array.isArray(block.elements) && block.type === "actions" ? block.elements : []),
      block.accessory,
      block.element,
    ];
    return candidates
      .filter((el): el is Json => isRecord(el) && typeof el.action_id === "string")
      .map((element) => ({ blockId: blockIdOf(block, i), block, element }));
  });
}

export function findElement(surface: Json, actionId: string, blockId?: string): FoundElement {
  const found = elementsOf(surface).find(
    (f) => f.element.action_id === actionId && (blockId === undefined || f.blockId === blockId),
  );
  if (!found) {
    const ids = elementsOf(surface).map((f) => `${f.blockId}.${String(f.element.action_id)}`);
    throw new Error(`no element with action_id ${actionId} (has: ${ids.join(", ") || "none"})`);
  }
  return found;
}

function optionsOf(element: Json): Json[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((g) => (isRecord(g) && Array.isArray(g.options) ? g.options : []))
    : [];
  return [...direct, ...grouped].filter(isRecord);
}

function toOption(element: Json, given: unknown): Json {
  if (isRecord(given)) return given;
  const value = String(given);
  if (String(element.type).includes("external")) return { text: { type: "plain_text", text: value }, value };
  const option = optionsOf(element).find((o) => o.value === value);
  if (!option) throw new Error(`${String(element.action_id)} has no option with value ${value}`);
  return option;
}

const toOptions = (element: Json, given: unknown): Json[] =>
  (Array.isArray(given) ? given : [given]).map((g) => toOption(element, g));

// Which state field each element type fills, and the initial_* field it starts from.
const SINGLE: Record<string, [string, string]> = {
  users_select: ["selected_user", "initial_user"],
  conversations_select: ["selected_conversation", "initial_conversation"],
  channels_select: ["selected_channel", "initial_channel"],
  multi_users_select: ["selected_users", "initial_users"],
  multi_conversations_select: ["selected_conversations", "initial_conversations"],
  multi_channels_select: ["selected_channels", "initial_channels"],
  datepicker: ["selected_date", "initial_date"],
  timepicker: ["selected_time", "initial_time"],
  datetimepicker: ["selected_date_time", "initial_date_time"],
  rich_text_input: ["rich_text_value", "initial_value"],
  file_input: ["files", "initial_files"],
};

/** The state entry Slack sends for one element: `{ type, value | selected_option | ... }`. */
export function stateEntry(element: Json, given: unknown): Json {
  const type = String(element.type);
  const entry: Json = { type };
  const has = given !== undefined;
  if (type in SINGLE) {
    const [field, initial] = SINGLE[type] as [string, string];
    const isList = type.startsWith("multi_") || type === "file_input";
    entry[field] = has ? given : (element[initial] ?? (isList ? [] : null));
  } else if (type === "multi_static_select" || type === "multi_external_select" || type === "checkboxes") {
    entry.selected_options = has ? toOptions(element, given) : (element.initial_options ?? []);
  } else if (type.endsWith("_select") || type === "radio_buttons" || type === "overflow") {
    entry.selected_option = has ? toOption(element, given) : (element.initial_option ?? null);
  } else {
    entry.value = has ? String(given) : (element.initial_value ?? null);
  }
  return entry;
}

/**
 * The `view.state` Slack sends on view_submission: every input block, plus any other element given a value.
 * Throws on a block_id/action_id the view does not have, so ids cannot drift between a modal and its test.
 */
export function stateFrom(view: Json, entered: EnteredValues = {}): { values: ViewStateValues } {
  const values: ViewStateValues = {};
  const found = elementsOf(view);
  for (const [blockId, actions] of Object.entries(entered)) {
    for (const actionId of Object.keys(actions)) {
      if (!found.some((f) => f.blockId === blockId && f.element.action_id === actionId)) {
        throw new Error(`view has no element ${blockId}.${actionId}`);
      }
    }
  }
  for (const { blockId, block, element } of found) {
    const actionId = String(element.action_id);
    const given = entered[blockId]?.[actionId];
    if (block.type !== "input" && given === undefined) continue;
    values[blockId] = { ...values[blockId], [actionId]: stateEntry(element, given) };
  }
  return { values };
}
