import { ELEMENT_TYPES, INPUT_TYPES, LIMITS, SELECT_TYPES } from "./limits.ts";

/** One broken rule, located by a JavaScript-style path such as `blocks[3].elements[0].text.text`. */
export interface Violation {
  path: string;
  rule: string;
  message: string;
}

export type Json = Record<string, unknown>;

/** Collects violations while walking one surface. */
export interface Walk {
  out: Violation[];
  blockIds: Set<string>;
  focusOnLoad: string[];
}

export const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function flag(walk: Walk, path: string, rule: string, message: string): void {
  walk.out.push({ path, rule, message });
}

export function checkLength(walk: Walk, value: unknown, path: string, rule: string, max: number): void {
  if (typeof value === "string" && value.length > max) {
    flag(walk, path, rule, `must be at most ${max} characters (has ${value.length})`);
  }
}

export function checkCount(
  walk: Walk,
  list: unknown,
  path: string,
  rule: string,
  max: number,
  min = 0,
): void {
  if (!Array.isArray(list)) return;
  if (list.length > max) flag(walk, path, rule, `must have at most ${max} items (has ${list.length})`);
  if (list.length < min) flag(walk, path, rule, `must have at least ${min} items (has ${list.length})`);
}

interface TextRule {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
  rule: string;
}

/** A text composition object: `{ type: plain_text | mrkdwn, text }`, text non-empty and within `max`. */
export function checkText(walk: Walk, text: unknown, path: string, r: TextRule): void {
  if (text === undefined) {
    if (r.required !== false) flag(walk, path, "required", "text object is required");
    return;
  }
  if (!isRecord(text)) {
    flag(walk, path, "text_object", "must be a text object");
    return;
  }
  const allowed = r.plainOnly ? ["plain_text"] : ["plain_text", "mrkdwn"];
  if (!allowed.includes(String(text.type))) {
    flag(walk, `${path}.type`, "text_type", `must be ${allowed.join(" or ")} (is ${String(text.type)})`);
  }
  if (typeof text.text !== "string" || text.text.length === 0) {
    flag(walk, `${path}.text`, "text_empty", "text must be a non-empty string");
    return;
  }
  checkLength(walk, text.text, `${path}.text`, r.rule, Math.min(r.max, LIMITS.textObject));
}

export function checkConfirm(walk: Walk, confirm: unknown, path: string): void {
  if (confirm === undefined) return;
  if (!isRecord(confirm)) {
    flag(walk, path, "confirm", "must be a confirmation dialog object");
    return;
  }
  checkText(walk, confirm.title, `${path}.title`, {
    max: LIMITS.confirmTitle,
    plainOnly: true,
    rule: "confirm_title",
  });
  checkText(walk, confirm.text, `${path}.text`, { max: LIMITS.confirmText, rule: "confirm_text" });
  const button = { max: LIMITS.confirmButton, plainOnly: true, rule: "confirm_button" };
  checkText(walk, confirm.confirm, `${path}.confirm`, button);
  checkText(walk, confirm.deny, `${path}.deny`, button);
  if (confirm.style !== undefined && confirm.style !== "primary" && confirm.style !== "danger") {
    flag(walk, `${path}.style`, "confirm_style", "must be primary or danger");
  }
}

function checkOption(walk: Walk, option: unknown, path: string, plainOnly: boolean): void {
  if (!isRecord(option)) {
    flag(walk, path, "option", "must be an option object");
    return;
  }
  checkText(walk, option.text, `${path}.text`, { max: LIMITS.optionText, plainOnly, rule: "option_text" });
  if (typeof option.value !== "string") flag(walk, `${path}.value`, "required", "option value is required");
  checkLength(walk, option.value, `${path}.value`, "option_value", LIMITS.optionValue);
  checkText(walk, option.description, `${path}.description`, {
    max: LIMITS.optionDescription,
    plainOnly,
    required: false,
    rule: "option_description",
  });
  checkLength(walk, option.url, `${path}.url`, "option_url", LIMITS.optionUrl);
}

function checkOptions(walk: Walk, el: Json, path: string, max: number, plainOnly: boolean, min = 0): void {
  checkCount(walk, el.options, `${path}.options`, "options_count", max, min);
  if (Array.isArray(el.options)) {
    el.options.forEach((o, i) => {
      checkOption(walk, o, `${path}.options[${i}]`, plainOnly);
    });
  }
}

function checkSelect(walk: Walk, el: Json, path: string): void {
  const type = String(el.type);
  checkText(walk, el.placeholder, `${path}.placeholder`, {
    max: LIMITS.placeholder,
    plainOnly: true,
    required: false,
    rule: "placeholder",
  });
  if (type !== "static_select" && type !== "multi_static_select") return;
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions === hasGroups) {
    flag(walk, path, "options_or_groups", "needs exactly one of options or option_groups");
  }
  checkOptions(walk, el, path, LIMITS.options, true);
  checkCount(walk, el.option_groups, `${path}.option_groups`, "option_groups_count", LIMITS.optionGroups);
  if (!Array.isArray(el.option_groups)) return;
  el.option_groups.forEach((g, i) => {
    const gp = `${path}.option_groups[${i}]`;
    if (!isRecord(g)) {
      flag(walk, gp, "option_group", "must be an option group object");
      return;
    }
    checkText(walk, g.label, `${gp}.label`, {
      max: LIMITS.optionGroupLabel,
      plainOnly: true,
      rule: "option_group_label",
    });
    checkOptions(walk, g, gp, LIMITS.options, true, 1);
  });
}

export function checkImageElement(walk: Walk, el: Json, path: string, rule = "image"): void {
  if (typeof el.alt_text !== "string" || el.alt_text.length === 0) {
    flag(walk, `${path}.alt_text`, "required", "image alt_text is required");
  }
  checkLength(walk, el.alt_text, `${path}.alt_text`, `${rule}_alt_text`, LIMITS.imageAltText);
  checkLength(walk, el.image_url, `${path}.image_url`, `${rule}_url`, LIMITS.imageUrl);
  if ((el.image_url === undefined) === (el.slack_file === undefined)) {
    flag(walk, path, `${rule}_source`, "needs exactly one of image_url or slack_file");
  }
}

/** An interactive or input element; `actionIds` are the ids already used in the containing block. */
export function checkElement(walk: Walk, el: unknown, path: string, actionIds: Set<string>): void {
  if (!isRecord(el)) {
    flag(walk, path, "element", "must be an element object");
    return;
  }
  const type = String(el.type);
  if (!(ELEMENT_TYPES as readonly string[]).includes(type)) {
    flag(walk, `${path}.type`, "unknown_element", `unknown element type ${type}`);
    return;
  }
  if (type === "image") {
    checkImageElement(walk, el, path);
    return;
  }
  if (typeof el.action_id === "string") {
    checkLength(walk, el.action_id, `${path}.action_id`, "action_id_length", LIMITS.actionId);
    if (actionIds.has(el.action_id)) {
      flag(
        walk,
        `${path}.action_id`,
        "action_id_unique",
        `action_id ${el.action_id} repeats within the block`,
      );
    }
    actionIds.add(el.action_id);
  }
  if (el.focus_on_load === true) walk.focusOnLoad.push(path);
  checkConfirm(walk, el.confirm, `${path}.confirm`);
  if (type === "button") {
    checkText(walk, el.text, `${path}.text`, {
      max: LIMITS.buttonText,
      plainOnly: true,
      rule: "button_text",
    });
    checkLength(walk, el.value, `${path}.value`, "button_value", LIMITS.buttonValue);
    checkLength(walk, el.url, `${path}.url`, "button_url", LIMITS.buttonUrl);
    checkLength(
      walk,
      el.accessibility_label,
      `${path}.accessibility_label`,
      "button_label",
      LIMITS.buttonAccessibilityLabel,
    );
    if (el.style !== undefined && el.style !== "primary" && el.style !== "danger") {
      flag(walk, `${path}.style`, "button_style", "must be primary or danger (omit for default)");
    }
  } else if (type === "overflow") {
    if (el.options === undefined) flag(walk, `${path}.options`, "required", "overflow needs options");
    checkOptions(walk, el, path, LIMITS.overflowOptions, true, 1);
  } else if (type === "checkboxes" || type === "radio_buttons") {
    if (el.options === undefined) flag(walk, `${path}.options`, "required", `${type} needs options`);
    checkOptions(walk, el, path, LIMITS.choiceOptions, false, 1);
  } else if ((SELECT_TYPES as readonly string[]).includes(type)) {
    checkSelect(walk, el, path);
  } else if ((INPUT_TYPES as readonly string[]).includes(type)) {
    checkText(walk, el.placeholder, `${path}.placeholder`, {
      max: LIMITS.placeholder,
      plainOnly: true,
      required: false,
      rule: "placeholder",
    });
    for (const key of ["min_length", "max_length"]) {
      const n = el[key];
      if (typeof n === "number" && (n < 0 || n > LIMITS.plainTextInputLength)) {
        flag(walk, `${path}.${key}`, "input_length", `must be between 0 and ${LIMITS.plainTextInputLength}`);
      }
    }
  }
}
