import type { CreateJobInput } from "../../src/desk/types.ts";
import type { FieldError } from "../../src/release/index.ts";
import type { WizardState, WizardStep } from "./state.ts";
import { containersChange } from "./version-step.ts";

/** The finished wizard as the engine's input. The first traffic change is requested separately, for approval. */
export function createJobInput(state: WizardState): CreateJobInput {
  return {
    name: state.name ?? "",
    namespace: state.namespace ?? "",
    app: state.app ?? "",
    service: state.service ?? "",
    strategy: state.strategy ?? "canary",
    ...(state.router ? { router: state.router } : {}),
    newVersion: {
      version: state.version ?? "",
      settings: { replicas: state.replicas ?? 1, containers: containersChange(state) },
    },
    channel: state.channel,
  };
}

/** Which tab holds a field the engine refused, so the wizard can go back there. */
export function stepOfField(field: string): WizardStep {
  if (field === "name") return "basic";
  if (/^(namespace|app|service|router)/.test(field)) return "service";
  if (field.startsWith("traffic")) return "strategy";
  return "version";
}

/** At most this many refusals are listed at once, so the notice stays inside a section's text limit. */
const LISTED = 8;

/**
 * The wizard, back on the tab of the first refused field, saying what to fix: every refusal on that tab (the
 * pod-spec guard may refuse several fields at once, each naming its field and rule), and how many are elsewhere.
 */
export function backToRefusedField(state: WizardState, errors: FieldError[]): WizardState {
  const first = errors[0];
  if (!first) return state;
  const step = stepOfField(first.field);
  const here = errors.filter((error) => stepOfField(error.field) === step).slice(0, LISTED);
  const rest = errors.length - here.length;
  const more = rest > 0 ? ` (and ${rest} more)` : "";
  return { ...state, step, notice: `${here.map((error) => error.message).join("\n")}${more}` };
}
