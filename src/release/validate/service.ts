import type { FieldError } from "../errors.ts";

export interface AppChoice {
  name: string;
  /** Set when known; otherwise read from the labels. */
  kind?: "composed" | "template";
  labels?: Record<string, string>;
}

/**
 * Apps installed from templates are Helm releases (OpenPitrix in KubeSphere): Helm owns their
 * workloads and would undo a new version on the next upgrade, so only composed apps qualify.
 */
export function appKind(app: AppChoice): "composed" | "template" {
  if (app.kind) return app.kind;
  const labels = app.labels ?? {};
  const helm = labels["app.kubernetes.io/managed-by"] === "Helm" || "helm.sh/chart" in labels;
  return helm ? "template" : "composed";
}

export function validateServiceChoice(input: {
  app: AppChoice;
  service: { name: string; versions: string[] };
}): FieldError[] {
  if (appKind(input.app) === "template") {
    return [
      {
        field: "app",
        message: `${input.app.name} was installed from a template; grayscale release works on composed apps only.`,
      },
    ];
  }
  if (input.service.versions.length === 0) {
    return [
      {
        field: "service",
        message: `Service ${input.service.name} has no deployed version to release against.`,
      },
    ];
  }
  return [];
}
