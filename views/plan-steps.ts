import type { KnownBlock, ModalView } from "@slack/types";
import { stringify } from "yaml";
import type { Plan, PlanStep } from "../src/release/index.ts";
import { codeBlock, escapeText } from "./escape.ts";
import { ids } from "./ids.ts";
import { splitText } from "./objects-modal.ts";

const SECTION_TEXT = 2900;
const MODAL_BLOCKS = 100;

/** One line per step, in the words an approver reads; deletes stand out. */
export function stepLine(step: PlanStep, index: number): string {
  const { kind, namespace, name } = step.object;
  const object = `${escapeText(kind)} \`${escapeText(`${namespace}/${name}`)}\``;
  const number = `${index + 1}.`;
  switch (step.action) {
    case "delete":
      return `${number} :rotating_light: *DELETE* ${object}`;
    case "create":
      return `${number} create ${object}`;
    case "patch":
      return `${number} change ${object}`;
    case "scale":
      return `${number} scale ${object} to ${replicasOf(step.after)} replicas`;
    case "wait-ready":
      return `${number} wait until ${object} is ready`;
  }
}

function replicasOf(object: object | undefined): string {
  const replicas = (object as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
  return typeof replicas === "number" ? String(replicas) : "?";
}

/**
 * Every step of a plan, never cut: the deletes first under their own heading, then all steps in the order they
 * run. Long plans continue in further sections rather than being truncated.
 */
export function buildPlanSteps(plan: Plan): KnownBlock[] {
  const lines = plan.steps.map(stepLine);
  const deletes = lines.filter((_, i) => plan.steps[i]?.action === "delete");
  const texts: string[] = [];
  if (deletes.length > 0) {
    texts.push(
      ...chunk(
        `*:rotating_light: Deletes ${deletes.length} ${deletes.length === 1 ? "object" : "objects"}:*`,
        deletes,
      ),
    );
  }
  const heading =
    plan.steps.length === 0
      ? "*Steps:* none; the cluster already is as asked."
      : plan.steps.length === 1
        ? "*1 step:*"
        : `*All ${plan.steps.length} steps, in the order they run:*`;
  texts.push(...chunk(heading, lines));
  return texts.map((text, i) => ({
    type: "section",
    block_id: `${ids.approval.steps}_${i}`,
    text: { type: "mrkdwn", text },
  }));
}

function chunk(heading: string, lines: string[]): string[] {
  const texts: string[] = [];
  let current = heading;
  for (const line of lines) {
    if (current.length + line.length + 1 > SECTION_TEXT) {
      texts.push(current);
      current = line;
    } else current = `${current}\n${line}`;
  }
  texts.push(current);
  return texts;
}

/** The objects of every step in full YAML: what is created, the patch sent, what is deleted. */
export function buildPlanObjectsModal(jobName: string, plan: Plan): ModalView {
  const blocks: KnownBlock[] = [];
  const add = (text: string) =>
    blocks.push({
      type: "section",
      block_id: `${ids.objectsModal.object}_${blocks.length}`,
      text: { type: "mrkdwn", text },
    });
  plan.steps.forEach((step, index) => {
    const body = step.action === "delete" ? step.before : (step.after ?? step.patch?.body);
    const pieces =
      body === undefined ? [] : splitText(stringify(body, { lineWidth: 0 }).trimEnd(), SECTION_TEXT - 10);
    if (blocks.length + 1 + pieces.length > MODAL_BLOCKS - 1) return;
    add(stepLine(step, index));
    for (const piece of pieces) add(codeBlock(piece));
  });
  const shown = new Set(blocks.map((b) => (b.type === "section" ? b.text?.text : "")));
  const missing = plan.steps.filter((step, i) => !shown.has(stepLine(step, i))).length;
  if (missing > 0)
    add(`${missing} more objects are too long to show here; every step is listed on the request.`);
  return {
    type: "modal",
    callback_id: ids.objectsModal.callback,
    title: { type: "plain_text", text: "Plan objects" },
    close: { type: "plain_text", text: "Close" },
    blocks: [
      {
        type: "context",
        block_id: `${ids.objectsModal.object}_title`,
        elements: [
          {
            type: "mrkdwn",
            text: `Job *${escapeText(jobName)}*: every object this plan writes or deletes.`.slice(0, 3000),
          },
        ],
      },
      ...(blocks.length > 0
        ? blocks
        : [
            {
              type: "section" as const,
              text: { type: "mrkdwn" as const, text: "This plan changes nothing." },
            },
          ]),
    ],
  };
}
