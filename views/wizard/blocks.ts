import type { InputBlock, KnownBlock, Option, PlainTextOption } from "@slack/types";

/** Small builders for the wizard's input blocks; block_id and action_id are the same id from ids.ts. */

export const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });

export function option(value: string, text: string, description?: string): PlainTextOption {
  return {
    text: plain(text.slice(0, 75)),
    value,
    ...(description ? { description: plain(description.slice(0, 75)) } : {}),
  };
}

interface Common {
  optional?: boolean;
  hint?: string;
  /** Actions fire on change (block_actions) instead of waiting for the submit. */
  dispatch?: boolean;
}

function input(id: string, label: string, element: InputBlock["element"], o: Common): InputBlock {
  return {
    type: "input",
    block_id: id,
    label: plain(label),
    element,
    ...(o.optional ? { optional: true } : {}),
    ...(o.hint ? { hint: plain(o.hint) } : {}),
    ...(o.dispatch ? { dispatch_action: true } : {}),
  };
}

export function textInput(
  id: string,
  label: string,
  o: Common & { initial?: string; placeholder?: string; multiline?: boolean; max?: number } = {},
): InputBlock {
  return input(
    id,
    label,
    {
      type: "plain_text_input",
      action_id: id,
      ...(o.initial ? { initial_value: o.initial } : {}),
      ...(o.placeholder ? { placeholder: plain(o.placeholder) } : {}),
      ...(o.multiline ? { multiline: true } : {}),
      ...(o.max ? { max_length: o.max } : {}),
    },
    o,
  );
}

export function numberInput(
  id: string,
  label: string,
  o: Common & { initial?: number; min?: number; max?: number; decimal?: boolean } = {},
): InputBlock {
  return input(
    id,
    label,
    {
      type: "number_input",
      action_id: id,
      is_decimal_allowed: o.decimal ?? false,
      ...(o.initial !== undefined ? { initial_value: String(o.initial) } : {}),
      ...(o.min !== undefined ? { min_value: String(o.min) } : {}),
      ...(o.max !== undefined ? { max_value: String(o.max) } : {}),
    },
    o,
  );
}

export function selectInput(
  id: string,
  label: string,
  options: PlainTextOption[],
  o: Common & { initial?: string; placeholder?: string } = {},
): InputBlock {
  const initial = options.find((opt) => opt.value === o.initial);
  return input(
    id,
    label,
    {
      type: "static_select",
      action_id: id,
      options,
      placeholder: plain(o.placeholder ?? "Choose"),
      ...(initial ? { initial_option: initial } : {}),
    },
    o,
  );
}

export function radioInput(
  id: string,
  label: string,
  options: PlainTextOption[],
  o: Common & { initial?: string } = {},
): InputBlock {
  const initial = options.find((opt) => opt.value === o.initial);
  return input(
    id,
    label,
    { type: "radio_buttons", action_id: id, options, ...(initial ? { initial_option: initial } : {}) },
    o,
  );
}

export function checkboxInput(
  id: string,
  label: string,
  options: PlainTextOption[],
  o: Common & { initial?: string[] } = {},
): InputBlock {
  const initial = options.filter((opt) => o.initial?.includes(opt.value ?? ""));
  return input(
    id,
    label,
    {
      type: "checkboxes",
      action_id: id,
      options,
      ...(initial.length > 0 ? { initial_options: initial } : {}),
    },
    o,
  );
}

export function externalSelect(
  id: string,
  label: string,
  o: Common & { initial?: Option; placeholder?: string } = {},
): InputBlock {
  return input(
    id,
    label,
    {
      type: "external_select",
      action_id: id,
      min_query_length: 0,
      placeholder: plain(o.placeholder ?? "Type to search"),
      ...(o.initial ? { initial_option: o.initial as PlainTextOption } : {}),
    },
    o,
  );
}

export function context(id: string, text: string): KnownBlock {
  return { type: "context", block_id: id, elements: [{ type: "mrkdwn", text: text.slice(0, 3000) }] };
}

export function section(id: string, text: string): KnownBlock {
  return { type: "section", block_id: id, text: { type: "mrkdwn", text: text.slice(0, 3000) } };
}
