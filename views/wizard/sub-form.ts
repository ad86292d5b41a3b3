import type { FieldError } from "../../src/release/index.ts";
import type { WizardState } from "./state.ts";

/**
 * What a pushed container form carries: the wizard view it returns to, which container it edits (-1 adds
 * one) and the wizard as it was when the form opened, so the parent can be redrawn without losing anything.
 */
export interface SubFormMeta {
  parent: string;
  index: number;
  wizard: WizardState;
}

export function decodeSubForm(metadata: string | undefined): SubFormMeta | undefined {
  try {
    const parsed = JSON.parse(metadata ?? "") as Partial<SubFormMeta>;
    if (typeof parsed.parent === "string" && typeof parsed.index === "number" && parsed.wizard) {
      return parsed as SubFormMeta;
    }
  } catch {
    // Falls through: the caller says the form expired.
  }
  return undefined;
}

/** The errors about container `index` (and the pod as a whole), with the path below the container. */
export function errorsOfContainer(errors: FieldError[], index: number): FieldError[] {
  const prefix = `containers[${index}]`;
  return errors.flatMap((e) => {
    if (e.field === "containers") return [{ ...e, field: "" }];
    if (e.field === prefix || e.field.startsWith(`${prefix}.`))
      return [{ ...e, field: e.field.slice(prefix.length + 1) }];
    return [];
  });
}
