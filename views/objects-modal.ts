import type { KnownBlock, ModalView } from "@slack/types";
import { ids } from "./ids.ts";

const PER_BLOCK = 2900;
const MAX_BLOCKS = 90;

/** The routing objects as YAML, like `kubectl get virtualservice -o yaml`, cut to fit a modal. */
export function buildObjectsModal(
  jobName: string,
  objects: { kind: string; name: string; yaml: string }[] | "loading",
): ModalView {
  const blocks: KnownBlock[] = [];
  if (objects === "loading") {
    blocks.push(section(0, ":hourglass_flowing_sand: Reading the objects from the cluster…"));
  } else if (objects.length === 0) {
    blocks.push(section(0, "This job has no routing objects in the cluster."));
  } else {
    for (const object of objects) {
      if (blocks.length >= MAX_BLOCKS) break;
      blocks.push(section(blocks.length, `*${object.kind} ${object.name}*`));
      const pieces = splitText(object.yaml, PER_BLOCK);
      for (const [i, piece] of pieces.entries()) {
        if (blocks.length >= MAX_BLOCKS) {
          blocks.push(section(blocks.length, `… ${pieces.length - i} more parts not shown.`));
          break;
        }
        blocks.push(section(blocks.length, `\`\`\`${piece}\`\`\``));
      }
    }
  }
  return {
    type: "modal",
    callback_id: ids.objectsModal.callback,
    title: { type: "plain_text", text: "Routing objects" },
    close: { type: "plain_text", text: "Close" },
    blocks: [
      {
        type: "context",
        block_id: `${ids.objectsModal.object}_title`,
        elements: [
          { type: "mrkdwn", text: `Job *${jobName}*, read from the cluster just now.`.slice(0, 3000) },
        ],
      },
      ...blocks,
    ],
  };
}

function section(i: number, text: string): KnownBlock {
  return { type: "section", block_id: `${ids.objectsModal.object}_${i}`, text: { type: "mrkdwn", text } };
}

/** Cuts text into pieces of at most `size` characters, at line ends where possible. */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= size) current = next;
    else {
      if (current) pieces.push(current);
      let rest = line;
      while (rest.length > size) {
        pieces.push(rest.slice(0, size));
        rest = rest.slice(size);
      }
      current = rest;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
