import type { KnownBlock, ModalView } from "@slack/types";
import {
  CLIENT_OSES,
  type ClientOs,
  type MatchKind,
  type MatchRule,
  type TrafficPolicy,
  validateTrafficPolicy,
} from "../../src/release/index.ts";
import { ids } from "../ids.ts";
import { numberInput, option, plain, radioInput, selectInput, textInput } from "./blocks.ts";
import { blockErrors, wizardModal } from "./modal.ts";
import { type ConditionRow, type StrategyForm, stableVersion, type WizardState } from "./state.ts";
import { readNumber, readOption, readOptions, readText, type StateValues } from "./values.ts";

const OS_NAMES: Record<ClientOs, string> = {
  windows: "Windows",
  linux: "Linux",
  macos: "macOS",
  android: "Android",
  ios: "iOS",
};
const KINDS = [
  option("header", "Header"),
  option("cookie", "Cookie"),
  option("query", "Query parameter"),
  option("uri", "URI"),
];
const MATCHES = [
  option("exact", "Exactly"),
  option("prefix", "Starts with"),
  option("regex", "Regular expression"),
];

export const rowBlock = (id: string, index: number) => `${id}_${index}`;

/** Strategy Settings: who serves (blue-green), how much or which requests (canary), how much is copied (mirror). */
export function buildStrategyStep(state: WizardState): ModalView {
  const form = state.traffic ?? {};
  const stable = stableVersion(state.stable) ?? "the current version";
  const next = state.version ?? "the new version";
  const w = ids.wizard;
  let blocks: KnownBlock[];
  if (state.strategy === "blue-green") {
    blocks = [
      radioInput(
        w.serve,
        "Which version serves",
        [
          option("stable", `${stable} keeps all traffic`, "Take over later with the job card"),
          option("new", `${next} takes over all traffic`, "Asks for approval first"),
        ],
        { initial: form.serve ?? "stable" },
      ),
    ];
  } else if (state.strategy === "mirror") {
    blocks = [
      numberInput(w.mirror, "Traffic mirrored to the new version (%)", {
        initial: form.mirror ?? 100,
        min: 1,
        max: 100,
        hint: "A copy of this share of requests goes to the new version; its answers are thrown away.",
      }),
    ];
  } else {
    const by = form.canaryBy ?? "weights";
    blocks = [
      radioInput(
        w.canaryBy,
        "Send to the new version",
        [
          option("weights", "A share of traffic", "Specify traffic distribution"),
          option("match", "Requests that match conditions", "Specify request parameters"),
        ],
        { initial: by, dispatch: true },
      ),
      ...(by === "weights" ? [percentInput(form, stable, next)] : conditionBlocks(form)),
    ];
  }
  return wizardModal(state, blocks);
}

function percentInput(form: StrategyForm, stable: string, next: string): KnownBlock {
  return numberInput(ids.wizard.percent, `Traffic to ${next} (%)`, {
    ...(form.percent !== undefined ? { initial: form.percent } : {}),
    min: 0,
    max: 100,
    hint: `Any whole percent from 0 to 100; ${stable} gets the rest. Traffic moves only once approved.`,
  });
}

function conditionBlocks(form: StrategyForm): KnownBlock[] {
  const w = ids.wizard;
  const rows = form.conditions?.length ? form.conditions : [blankRow()];
  const rowBlocks = rows.flatMap((row, i): KnownBlock[] => [
    selectInput(rowBlock(w.condKind, i), `Condition ${i + 1}`, KINDS, { initial: row.kind }),
    textInput(rowBlock(w.condName, i), "Header, cookie or parameter name", {
      optional: true,
      ...(row.name ? { initial: row.name } : {}),
      placeholder: "x-canary",
      hint: "Not needed for a URI.",
    }),
    selectInput(rowBlock(w.condMatch, i), "Match", MATCHES, { initial: row.match }),
    textInput(rowBlock(w.condValue, i), "Value", {
      ...(row.value ? { initial: row.value } : {}),
      placeholder: "always",
      hint: "Regular expressions use RE2 syntax (no lookaround or backreferences).",
    }),
    ...(rows.length > 1
      ? [
          {
            type: "actions",
            block_id: rowBlock(w.removeCondition, i),
            elements: [
              {
                type: "button",
                action_id: w.removeCondition,
                text: plain(`Remove condition ${i + 1}`),
                value: String(i),
              },
            ],
          } satisfies KnownBlock,
        ]
      : []),
  ]);
  const oses = CLIENT_OSES.map((os) => option(os, OS_NAMES[os]));
  const chosen = oses.filter((o) => form.oses?.includes(o.value as ClientOs));
  return [
    ...rowBlocks,
    {
      type: "actions",
      block_id: w.addCondition,
      elements: [{ type: "button", action_id: w.addCondition, text: plain("+ Add condition") }],
    },
    {
      type: "input",
      block_id: w.oses,
      optional: true,
      label: plain("And the client's operating system is one of"),
      element: {
        type: "multi_static_select",
        action_id: w.oses,
        options: oses,
        placeholder: plain("Any operating system"),
        ...(chosen.length > 0 ? { initial_options: chosen } : {}),
      },
    },
  ];
}

export const blankRow = (): ConditionRow => ({ kind: "header", name: "", match: "exact", value: "" });

export function readStrategyStep(values: StateValues, state: WizardState): WizardState {
  const w = ids.wizard;
  const form: StrategyForm = { ...state.traffic };
  if (state.strategy === "blue-green") form.serve = readOption(values, w.serve) === "new" ? "new" : "stable";
  if (state.strategy === "mirror") form.mirror = readNumber(values, w.mirror);
  if (state.strategy === "canary") {
    form.canaryBy = readOption(values, w.canaryBy) === "match" ? "match" : "weights";
    if (values[w.percent]) form.percent = readNumber(values, w.percent);
    if (values[rowBlock(w.condKind, 0)]) {
      const rows: ConditionRow[] = [];
      for (let i = 0; values[rowBlock(w.condKind, i)]; i++) {
        rows.push({
          kind: (readOption(values, rowBlock(w.condKind, i)) ?? "header") as ConditionRow["kind"],
          name: readText(values, rowBlock(w.condName, i)) ?? "",
          match: (readOption(values, rowBlock(w.condMatch, i)) ?? "exact") as MatchKind,
          // Values keep their spaces: a header may be matched on "Mozilla/5.0 (X11".
          value: values[rowBlock(w.condValue, i)]?.[rowBlock(w.condValue, i)]?.value ?? "",
        });
      }
      form.conditions = rows;
      form.oses = readOptions(values, w.oses) as ClientOs[];
    }
  }
  return { ...state, traffic: form };
}

/** The conditions as match rules: typed rows first (blank ones dropped), then the operating systems. */
export function matchRules(form: StrategyForm): MatchRule[] {
  const rows = (form.conditions ?? []).filter((r) => r.name !== "" || r.value !== "");
  const rules: MatchRule[] = rows.map((r) =>
    r.kind === "uri"
      ? { kind: "uri", match: r.match, value: r.value }
      : { kind: r.kind, name: r.name, match: r.match, value: r.value },
  );
  if (form.oses && form.oses.length > 0) rules.push({ kind: "os", systems: form.oses });
  return rules;
}

/**
 * The first traffic change the job asks for, which becomes its first approval request; undefined when the
 * settings leave all traffic where it is (blue-green keeping the stable version, a 0 % canary).
 */
export function requestedTraffic(state: WizardState): TrafficPolicy | undefined {
  const form = state.traffic ?? {};
  const stable = stableVersion(state.stable) ?? "";
  const next = state.version ?? "";
  switch (state.strategy) {
    case "blue-green":
      return form.serve === "new" ? { kind: "serve", version: next } : undefined;
    case "mirror":
      return { kind: "mirror", percent: form.mirror ?? 100, to: next };
    case "canary": {
      if (form.canaryBy === "match") return { kind: "match", rules: matchRules(form), to: next };
      const percent = form.percent ?? Number.NaN;
      if (percent === 0) return undefined;
      return { kind: "weights", weights: { [stable]: 100 - percent, [next]: percent } };
    }
    default:
      return undefined;
  }
}

export function parseStrategyStep(
  values: StateValues,
  state: WizardState,
): { state: WizardState; errors: Record<string, string> } {
  const next = readStrategyStep(values, state);
  return { state: next, errors: strategyErrors(next) };
}

export function strategyErrors(state: WizardState): Record<string, string> {
  const w = ids.wizard;
  const form = state.traffic ?? {};
  if (state.strategy === "canary" && form.canaryBy !== "match" && form.percent === undefined)
    return { [w.percent]: "Enter the share of traffic for the new version, e.g. 20." };
  const policy = requestedTraffic(state);
  if (!policy || !state.strategy) return {};
  const versions = [stableVersion(state.stable) ?? "", state.version ?? ""];
  const errors = validateTrafficPolicy(policy, { strategy: state.strategy, versions });
  const rows = (form.conditions ?? []).flatMap((r, i) => (r.name !== "" || r.value !== "" ? [i] : []));
  const fallback =
    state.strategy === "blue-green" ? w.serve : state.strategy === "mirror" ? w.mirror : w.canaryBy;
  return blockErrors(errors, (field) => blockOfField(field, rows), fallback);
}

function blockOfField(field: string, rows: number[]): string | undefined {
  const w = ids.wizard;
  if (field.startsWith("traffic.weights")) return w.percent;
  if (field === "traffic.percent") return w.mirror;
  if (field === "traffic.version") return w.serve;
  if (field === "traffic.rules") return rowBlock(w.condValue, 0);
  const rule = /^traffic\.rules\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (!rule) return undefined;
  const row = rows[Number(rule[1])];
  if (row === undefined) return w.oses;
  const part = rule[2];
  if (part === "name") return rowBlock(w.condName, row);
  if (part === "match") return rowBlock(w.condMatch, row);
  if (part === "kind") return rowBlock(w.condKind, row);
  return rowBlock(w.condValue, row);
}
