const SEMICOLON = 0x3b;
// Escapes that stand for character sets holding `;` (or that RE2 reads as sets or quoted text we do not parse).
const WIDE_ESCAPES = new Set(["S", "W", "D", "p", "P", "Q", "C", "X"]);
const WIDE_POSIX = ["punct", "print", "graph", "ascii", "^", "cntrl"];

/**
 * Whether a cookie regex could match `;`. A cookie condition is one regex over the whole Cookie header, so a
 * pattern that can match `;` could run on into the next cookie and match requests the summary does not describe
 * (`a.*c` holds for `user=ab; theme=c`). Sound and cautious: anything that might match `;` counts.
 */
export function mayMatchSemicolon(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === ";" || char === ".") return true;
    if (char === "\\") {
      const next = pattern[i + 1] ?? "";
      if (next === ";" || WIDE_ESCAPES.has(next) || next === "x") return true;
      i++;
      continue;
    }
    if (char === "[") {
      const end = classEnd(pattern, i);
      if (end < 0 || classMayMatchSemicolon(pattern.slice(i + 1, end))) return true;
      i = end;
    }
  }
  return false;
}

/** The index of the `]` closing the class opened at `start` (a `]` first in the class is literal). */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "[" && pattern[i + 1] === ":") {
      const close = pattern.indexOf(":]", i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (pattern[i] === "]") return i;
  }
  return -1;
}

/** A class matches `;` when its set holds it, or, negated (`[^…]`), when its set does not. */
function classMayMatchSemicolon(body: string): boolean {
  const negated = body.startsWith("^");
  const set = negated ? body.slice(1) : body;
  // Wide members (\S, [:punct:]…) are not worked out: count the class as matching `;`.
  if (WIDE_POSIX.some((name) => set.includes(`[:${name}`))) return true;
  const DASH = -2;
  const members: number[] = [];
  for (let i = 0; i < set.length; i++) {
    if (set[i] === "\\") {
      const next = set[i + 1] ?? "";
      if (WIDE_ESCAPES.has(next) || next === "x") return true;
      members.push(next.charCodeAt(0));
      i++;
    } else if (set[i] === "[" && set[i + 1] === ":") {
      // A POSIX class not listed above (alpha, digit, space…) holds no `;`.
      i = set.indexOf(":]", i + 2) + 1;
      members.push(-1);
    } else members.push(set[i] === "-" ? DASH : set.charCodeAt(i));
  }
  const holds = members.some((member, k) => {
    if (member === SEMICOLON) return true;
    if (member !== DASH || k === 0 || k === members.length - 1) return false;
    const from = members[k - 1] as number;
    const to = members[k + 1] as number;
    return from >= 0 && to >= 0 && from <= SEMICOLON && SEMICOLON <= to;
  });
  return negated ? !holds : holds;
}
