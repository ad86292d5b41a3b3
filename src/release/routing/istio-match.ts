import type { MatchKind, MatchRule } from "../job.ts";
import type { HttpMatchRequest, StringMatch } from "./istio-types.ts";
import { osFromUserAgentRegex, osUserAgentMatch } from "./user-agent.ts";

const RE2_SPECIAL = /[\\.+*?()|[\]{}^$]/g;

export function escapeRegex(text: string): string {
  return text.replace(RE2_SPECIAL, "\\$&");
}

function unescapeRegex(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/**
 * Cookies all arrive in one `Cookie` header (`a=1; user=jason`), so a cookie condition is a regex on
 * that header: exact means the cookie's whole value equals, prefix that it starts with the text, regex
 * that the pattern matches the whole value. `;\s*` allows the space browsers put after each `;`.
 */
export function cookieRegex(name: string, match: MatchKind, value: string): string {
  const pair =
    match === "exact"
      ? `${escapeRegex(name)}=${escapeRegex(value)}`
      : match === "prefix"
        ? `${escapeRegex(name)}=${escapeRegex(value)}[^;]*`
        : `${escapeRegex(name)}=(?:${value})`;
  return `^(.*?;\\s*)?(${pair})(;.*)?$`;
}

function parseCookieRegex(regex: string): MatchRule | undefined {
  const pair = /^\^\(\.\*\?;\\s\*\)\?\((.+)\)\(;\.\*\)\?\$$/.exec(regex)?.[1];
  if (!pair) return undefined;
  const named = /^((?:\\.|[^=\\])+)=(.*)$/.exec(pair);
  if (!named?.[1] || named[2] === undefined) return undefined;
  const name = unescapeRegex(named[1]);
  const rest = named[2];
  const regexValue = /^\(\?:(.*)\)$/.exec(rest)?.[1];
  if (regexValue !== undefined) return { kind: "cookie", name, match: "regex", value: regexValue };
  if (rest.endsWith("[^;]*"))
    return { kind: "cookie", name, match: "prefix", value: unescapeRegex(rest.slice(0, -5)) };
  return { kind: "cookie", name, match: "exact", value: unescapeRegex(rest) };
}

/** A prefix as a regular expression, for fields that take only exact values and regexes. */
export function prefixRegex(value: string): string {
  return `${escapeRegex(value)}.*`;
}

/** The prefix a regex of prefixRegex's shape stands for, or undefined for any other regex. */
export function prefixOfRegex(regex: string): string | undefined {
  const body = /^((?:\\[\\.+*?()|[\]{}^$]|[^\\.+*?()|[\]{}^$])*)\.\*$/.exec(regex)?.[1];
  return body === undefined ? undefined : unescapeRegex(body);
}

function stringMatch(match: MatchKind, value: string): StringMatch {
  return match === "exact" ? { exact: value } : match === "prefix" ? { prefix: value } : { regex: value };
}

function readStringMatch(value: StringMatch): { match: MatchKind; value: string } {
  if (value.exact !== undefined) return { match: "exact", value: value.exact };
  if (value.prefix !== undefined) return { match: "prefix", value: value.prefix };
  return { match: "regex", value: value.regex ?? "" };
}

/**
 * All conditions in one match request: Istio requires every one of them to hold. Condition names are data, not
 * object keys: they are collected as entries and turned into own properties at the end (Object.fromEntries), so a
 * header named `__proto__` or `constructor` is routed like any other instead of vanishing into the prototype.
 */
export function matchRequest(rules: MatchRule[]): HttpMatchRequest {
  const request: HttpMatchRequest = {};
  const headers = new Map<string, StringMatch>();
  const query = new Map<string, StringMatch>();
  for (const rule of rules) {
    switch (rule.kind) {
      case "header":
        headers.set(rule.name.toLowerCase(), stringMatch(rule.match, rule.value));
        break;
      case "cookie":
        headers.set("cookie", { regex: cookieRegex(rule.name, rule.match, rule.value) });
        break;
      case "uri":
        request.uri = stringMatch(rule.match, rule.value);
        break;
      // Istio matches query parameters exactly or by regex only.
      case "query":
        query.set(
          rule.name,
          rule.match === "prefix" ? { regex: prefixRegex(rule.value) } : stringMatch(rule.match, rule.value),
        );
        break;
      case "os": {
        const { regex, without } = osUserAgentMatch(rule.systems);
        headers.set("user-agent", { regex });
        if (without) request.withoutHeaders = { "user-agent": { regex: without } };
        break;
      }
    }
  }
  if (headers.size > 0) request.headers = Object.fromEntries(headers);
  if (query.size > 0) request.queryParams = Object.fromEntries(query);
  return request;
}

/** The conditions a match request stands for (the inverse of matchRequest). */
export function readMatchRequest(request: HttpMatchRequest): MatchRule[] {
  const rules: MatchRule[] = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const read = readStringMatch(value);
    if (name === "cookie" && read.match === "regex") {
      const cookie = parseCookieRegex(read.value);
      if (cookie) {
        rules.push(cookie);
        continue;
      }
    }
    if (name === "user-agent" && read.match === "regex") {
      const systems = osFromUserAgentRegex(read.value);
      if (systems) {
        rules.push({ kind: "os", systems });
        continue;
      }
    }
    rules.push({ kind: "header", name, ...read });
  }
  if (request.uri) rules.push({ kind: "uri", ...readStringMatch(request.uri) });
  for (const [name, value] of Object.entries(request.queryParams ?? {})) {
    const prefix = value.regex === undefined ? undefined : prefixOfRegex(value.regex);
    rules.push(
      prefix === undefined
        ? { kind: "query", name, ...readStringMatch(value) }
        : { kind: "query", name, match: "prefix", value: prefix },
    );
  }
  return rules;
}
