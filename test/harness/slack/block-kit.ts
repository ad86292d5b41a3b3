import {
  checkCount,
  checkElement,
  checkImageElement,
  checkLength,
  checkText,
  flag,
  isRecord,
  type Violation,
  type Walk,
} from "./block-kit-elements.ts";
import { BLOCK_TYPES, LIMITS } from "./limits.ts";

export type { Violation } from "./block-kit-elements.ts";

function newWalk(): Walk {
  return { out: [], blockIds: new Set(), focusOnLoad: [] };
}

function checkBlock(walk: Walk, block: unknown, path: string): void {
  if (!isRecord(block)) {
    flag(walk, path, "block", "must be a block object");
    return;
  }
  const type = String(block.type);
  if (!(BLOCK_TYPES as readonly string[]).includes(type)) {
    flag(walk, `${path}.type`, "unknown_block", `unknown block type ${type}`);
    return;
  }
  if (typeof block.block_id === "string") {
    checkLength(walk, block.block_id, `${path}.block_id`, "block_id_length", LIMITS.blockId);
    if (walk.blockIds.has(block.block_id)) {
      flag(walk, `${path}.block_id`, "block_id_unique", `block_id ${block.block_id} is used twice`);
    }
    walk.blockIds.add(block.block_id);
  }
  const actionIds = new Set<string>();
  switch (type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        flag(walk, path, "section_content", "section needs text or fields");
      }
      checkText(walk, block.text, `${path}.text`, {
        max: LIMITS.sectionText,
        required: false,
        rule: "section_text",
      });
      checkCount(walk, block.fields, `${path}.fields`, "section_fields_count", LIMITS.sectionFields, 1);
      if (Array.isArray(block.fields)) {
        block.fields.forEach((f, i) => {
          checkText(walk, f, `${path}.fields[${i}]`, {
            max: LIMITS.sectionFieldText,
            rule: "section_field_text",
          });
        });
      }
      if (block.accessory !== undefined) checkElement(walk, block.accessory, `${path}.accessory`, actionIds);
      return;
    }
    case "header": {
      checkText(walk, block.text, `${path}.text`, {
        max: LIMITS.headerText,
        plainOnly: true,
        rule: "header_text",
      });
      return;
    }
    case "context": {
      checkElements(walk, block, path, LIMITS.contextElements, (el, p) => {
        if (isRecord(el) && el.type === "image") checkImageElement(walk, el, p);
        else checkText(walk, el, p, { max: LIMITS.textObject, rule: "context_text" });
      });
      return;
    }
    case "actions": {
      checkElements(walk, block, path, LIMITS.actionsElements, (el, p) => {
        checkElement(walk, el, p, actionIds);
      });
      return;
    }
    case "input": {
      checkText(walk, block.label, `${path}.label`, {
        max: LIMITS.inputLabel,
        plainOnly: true,
        rule: "input_label",
      });
      checkText(walk, block.hint, `${path}.hint`, {
        max: LIMITS.inputHint,
        plainOnly: true,
        required: false,
        rule: "input_hint",
      });
      if (block.element === undefined) {
        flag(walk, `${path}.element`, "required", "input needs an element");
        return;
      }
      checkElement(walk, block.element, `${path}.element`, actionIds);
      return;
    }
    case "image":
      checkImageElement(walk, block, path);
      {
        checkText(walk, block.title, `${path}.title`, {
          max: LIMITS.imageTitle,
          plainOnly: true,
          required: false,
          rule: "image_title",
        });
        return;
      }
    case "rich_text":
      if (!Array.isArray(block.elements))
        flag(walk, `${path}.elements`, "required", "rich_text needs elements");
      return;
    case "markdown":
      if (typeof block.text !== "string" || block.text.length === 0) {
        flag(walk, `${path}.text`, "required", "markdown block needs text");
        return;
      }
      {
        checkLength(walk, block.text, `${path}.text`, "markdown_text", LIMITS.markdownBlockText);
        return;
      }
    default:
      return;
  }
}

function checkElements(
  walk: Walk,
  block: Record<string, unknown>,
  path: string,
  max: number,
  each: (el: unknown, path: string) => void,
): void {
  if (!Array.isArray(block.elements)) {
    flag(walk, `${path}.elements`, "required", `${String(block.type)} needs elements`);
    return;
  }
  checkCount(walk, block.elements, `${path}.elements`, `${String(block.type)}_elements_count`, max, 1);
  block.elements.forEach((el, i) => {
    each(el, `${path}.elements[${i}]`);
  });
}

function checkBlocks(walk: Walk, blocks: unknown, path: string, max: number): void {
  if (blocks === undefined) return;
  if (!Array.isArray(blocks)) {
    flag(walk, path, "blocks", "blocks must be an array");
    return;
  }
  checkCount(walk, blocks, path, "blocks_count", max);
  blocks.forEach((b, i) => {
    checkBlock(walk, b, `${path}[${i}]`);
  });
  if (walk.focusOnLoad.length > 1) {
    flag(walk, walk.focusOnLoad[1] ?? path, "focus_on_load", "only one element may set focus_on_load");
  }
}

export interface MessageOptions {
  /** Longest `text` accepted: 4000 for chat.update and chat.postEphemeral, else where truncation begins. */
  textLimit?: number;
}

/** A message's blocks plus its `text` (required when there are no blocks). */
export function validateMessage(blocks: unknown, text?: unknown, opts: MessageOptions = {}): Violation[] {
  const walk = newWalk();
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!hasBlocks && (typeof text !== "string" || text.length === 0)) {
    flag(walk, "text", "no_text", "a message needs text or blocks");
  }
  checkLength(walk, text, "text", "message_text", opts.textLimit ?? LIMITS.messageTextTruncated);
  checkBlocks(walk, blocks, "blocks", LIMITS.messageBlocks);
  return walk.out;
}

function checkViewCommon(walk: Walk, view: Record<string, unknown>, type: string): void {
  if (view.type !== type) flag(walk, "type", "view_type", `view type must be ${type}`);
  if (!Array.isArray(view.blocks)) flag(walk, "blocks", "required", "view needs blocks");
  checkLength(walk, view.private_metadata, "private_metadata", "private_metadata", LIMITS.privateMetadata);
  checkLength(walk, view.callback_id, "callback_id", "callback_id", LIMITS.callbackId);
  checkLength(walk, view.external_id, "external_id", "external_id", LIMITS.externalId);
  checkBlocks(walk, view.blocks, "blocks", LIMITS.viewBlocks);
}

export function validateModal(view: unknown): Violation[] {
  const walk = newWalk();
  if (!isRecord(view)) return [{ path: "", rule: "view", message: "view must be an object" }];
  checkViewCommon(walk, view, "modal");
  checkText(walk, view.title, "title", { max: LIMITS.viewTitle, plainOnly: true, rule: "view_title" });
  const button = (max: number, rule: string) => ({ max, plainOnly: true, required: false, rule });
  checkText(walk, view.submit, "submit", button(LIMITS.viewSubmit, "view_submit"));
  checkText(walk, view.close, "close", button(LIMITS.viewClose, "view_close"));
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === "input");
  if (hasInput && view.submit === undefined) {
    flag(walk, "submit", "submit_required", "a modal with input blocks needs a submit button");
  }
  return walk.out;
}

export function validateHome(view: unknown): Violation[] {
  const walk = newWalk();
  if (!isRecord(view)) return [{ path: "", rule: "view", message: "view must be an object" }];
  checkViewCommon(walk, view, "home");
  return walk.out;
}
