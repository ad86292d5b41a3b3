// Small helpers over objects: identity, names, copies with the apiVersion a client asked for.

import { randomUUID } from "node:crypto";
import { apiVersionOf, type ResourceType } from "./registry.ts";
import type { KubeObject } from "./store.ts";

export const grOf = (t: ResourceType): string => `${t.group}/${t.resource}`;

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
/** kube's random name suffix: 5 characters from an alphabet without vowels or lookalikes. */
export function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

export const newUid = (): string => randomUUID();

/** A deep copy as the client sees it, in the version it asked for. */
export function present(t: ResourceType, version: string, o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  copy.apiVersion = apiVersionOf(t.group, version);
  copy.kind = t.kind;
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Everything but metadata and status: what bumps metadata.generation when it changes. */
export function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}

export const labelsOf = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {};

export function asObject(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
