import type { FieldError } from "../errors.ts";
import type { ClientOs, MatchRule, ReleaseStrategy, TrafficPolicy, Version } from "../job.ts";
import { POLICY_KINDS } from "../job.ts";
import { mayMatchSemicolon } from "./cookie-pattern.ts";
import { re2Problem } from "./regex.ts";

export const CLIENT_OSES: ClientOs[] = ["windows", "linux", "macos", "android", "ios"];

// RFC 7230 token: the characters a header (and cookie) name may have.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Condition names and values are bounded, so a typo or a paste cannot make a route Envoy refuses. */
export const MAX_CONDITION_NAME = 128;
export const MAX_CONDITION_VALUE = 1024;
// Istio ignores these header keys in a match: they name pseudo-headers it matches elsewhere.
const IGNORED_HEADERS = ["uri", "scheme", "method", "authority"];

export interface StrategyContext {
  strategy: ReleaseStrategy;
  /** The job's versions, stable first. */
  versions: Version[];
}

export function validateTrafficPolicy(policy: TrafficPolicy, context: StrategyContext): FieldError[] {
  if (!POLICY_KINDS[context.strategy].includes(policy.kind)) {
    return [
      { field: "traffic", message: `A ${context.strategy} job cannot use a ${policy.kind} traffic policy.` },
    ];
  }
  const isVersion = (version: Version) => context.versions.includes(version);
  const versionWords = context.versions.join(" or ");
  switch (policy.kind) {
    case "weights":
      return validateWeights(policy.weights, context);
    case "serve":
      return isVersion(policy.version)
        ? []
        : [{ field: "traffic.version", message: `Choose ${versionWords} to serve all traffic.` }];
    case "mirror": {
      const errors: FieldError[] = [];
      if (!isVersion(policy.to) || policy.to === context.versions[0]) {
        errors.push({
          field: "traffic.to",
          message: "Mirror traffic to the new version, not to the stable one.",
        });
      }
      if (!(Number.isInteger(policy.percent) && policy.percent >= 1 && policy.percent <= 100)) {
        errors.push({
          field: "traffic.percent",
          message: "Mirror a whole percentage of traffic from 1 to 100.",
        });
      }
      return errors;
    }
    case "match": {
      const errors = validateMatchRules(policy.rules);
      if (!isVersion(policy.to) || policy.to === context.versions[0]) {
        errors.push({
          field: "traffic.to",
          message: "Send matching requests to the new version, not to the stable one.",
        });
      }
      return errors;
    }
  }
}

function validateWeights(weights: Record<Version, number>, context: StrategyContext): FieldError[] {
  const errors: FieldError[] = [];
  let sum = 0;
  for (const [version, weight] of Object.entries(weights)) {
    const field = `traffic.weights.${version}`;
    if (!context.versions.includes(version)) {
      errors.push({
        field,
        message: `${version} is not a version of this job; use ${context.versions.join(" or ")}.`,
      });
    } else if (!(Number.isInteger(weight) && weight >= 0 && weight <= 100)) {
      errors.push({ field, message: "Traffic shares are whole percentages from 0 to 100." });
    }
    sum += Number.isFinite(weight) ? weight : 0;
  }
  if (errors.length === 0 && sum !== 100) {
    errors.push({
      field: "traffic.weights",
      message: `Traffic shares must add up to 100 %; these add up to ${sum} %.`,
    });
  }
  return errors;
}

export function validateMatchRules(rules: MatchRule[]): FieldError[] {
  if (rules.length === 0) {
    return [
      {
        field: "traffic.rules",
        message: "Add at least one condition: a header, cookie, URI, query parameter or operating system.",
      },
    ];
  }
  const errors: FieldError[] = [];
  const headers = new Set<string>();
  const claim = (header: string, field: string, message: string) => {
    if (headers.has(header)) errors.push({ field, message });
    headers.add(header);
  };
  rules.forEach((rule, index) => {
    const at = `traffic.rules[${index}]`;
    switch (rule.kind) {
      case "header":
        if (rule.name.length > MAX_CONDITION_NAME) {
          errors.push(tooLong(`${at}.name`, "Header names"));
        } else if (!TOKEN.test(rule.name)) {
          errors.push({
            field: `${at}.name`,
            message: "Header names use letters, digits and - (no spaces or colons).",
          });
        } else if (IGNORED_HEADERS.includes(rule.name.toLowerCase())) {
          errors.push({
            field: `${at}.name`,
            message: `The mesh ignores a ${rule.name} header condition; use a URI condition.`,
          });
        } else {
          claim(
            rule.name.toLowerCase(),
            `${at}.name`,
            `Header ${rule.name} already has a condition; keep one per header.`,
          );
        }
        errors.push(...validateValue(rule.match, rule.value, at, false));
        break;
      case "cookie":
        if (rule.name.length > MAX_CONDITION_NAME) {
          errors.push(tooLong(`${at}.name`, "Cookie names"));
        } else if (!TOKEN.test(rule.name)) {
          errors.push({
            field: `${at}.name`,
            message: "Cookie names use letters, digits and - _ . (no spaces, = or ;).",
          });
        }
        // Every cookie condition becomes one regular expression on the single Cookie header.
        claim("cookie", `${at}`, "Only one cookie condition fits in one rule; keep a single cookie.");
        errors.push(...validateValue(rule.match, rule.value, at, true));
        break;
      case "uri":
        // One match holds one URI: a second would silently replace the first.
        claim(":path", `${at}`, "A request has one URI; keep a single URI condition.");
        if (rule.match !== "regex" && !rule.value.startsWith("/")) {
          errors.push({ field: `${at}.value`, message: "URIs start with /, e.g. /api/v2." });
        }
        errors.push(...validateValue(rule.match, rule.value, at, false));
        break;
      case "query":
        if (rule.name.length > MAX_CONDITION_NAME) {
          errors.push(tooLong(`${at}.name`, "Query parameter names"));
        } else if (!/^[A-Za-z0-9._~-]+$/.test(rule.name)) {
          errors.push({
            field: `${at}.name`,
            message: "Query parameter names use letters, digits and - _ . ~ (no spaces, = or &).",
          });
        } else {
          claim(
            `?${rule.name}`,
            `${at}.name`,
            `Query parameter ${rule.name} already has a condition; keep one per parameter.`,
          );
        }
        errors.push(...validateValue(rule.match, rule.value, at, false));
        break;
      case "os":
        if (rule.systems.length === 0 || rule.systems.some((os) => !CLIENT_OSES.includes(os))) {
          errors.push({
            field: `${at}.systems`,
            message: "Choose among Windows, Linux, macOS, Android and iOS.",
          });
        }
        claim(
          "user-agent",
          `${at}`,
          "The operating system condition reads User-Agent; drop the other User-Agent condition.",
        );
        break;
      default:
        errors.push({
          field: at,
          message: "Conditions are a header, cookie, URI, query parameter or operating system.",
        });
    }
  });
  return errors;
}

function tooLong(field: string, what: string): FieldError {
  return { field, message: `${what} are at most ${MAX_CONDITION_NAME} characters.` };
}

function validateValue(match: string, value: string, at: string, cookie: boolean): FieldError[] {
  if (match !== "exact" && match !== "prefix" && match !== "regex") {
    return [{ field: `${at}.match`, message: "Match exactly, by prefix, or by regular expression." }];
  }
  if (value.length === 0) return [{ field: `${at}.value`, message: "Enter the value to match." }];
  if (value.length > MAX_CONDITION_VALUE)
    return [
      { field: `${at}.value`, message: `Values to match are at most ${MAX_CONDITION_VALUE} characters.` },
    ];
  if (match === "regex") {
    const problem = re2Problem(value);
    if (problem) return [{ field: `${at}.value`, message: problem }];
    // The cookie's pattern is matched inside the whole Cookie header: it must stop at the cookie's end.
    if (cookie && mayMatchSemicolon(value))
      return [
        {
          field: `${at}.value`,
          message:
            "A cookie pattern cannot use . or anything else that matches ; (it would run into the next cookie): use a class such as [^;]* or [a-z0-9]*.",
        },
      ];
    return [];
  }
  if (cookie && /[\s;,"\\]/.test(value)) {
    return [
      {
        field: `${at}.value`,
        message: "Cookie values cannot contain spaces, quotes, commas, semicolons or \\.",
      },
    ];
  }
  return [];
}
