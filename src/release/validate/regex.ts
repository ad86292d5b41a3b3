/**
 * Envoy matches with RE2, which has no lookaround, backreferences or atomic groups. JavaScript would
 * accept those, so they are refused here first; then JavaScript's parser catches plain syntax errors.
 * Returns a user message, or undefined when the pattern is fine.
 */
export function re2Problem(pattern: string): string | undefined {
  if (pattern.length === 0) return "Enter a regular expression.";
  if (/\(\?<?[=!]/.test(pattern))
    return "Lookahead and lookbehind like (?=…) are not supported by the mesh (RE2).";
  if (/\\[1-9]|\\k</.test(pattern)) return "Backreferences like \\1 are not supported by the mesh (RE2).";
  if (/\(\?>|(?<!\\)[*+?}]\+/.test(pattern))
    return "Atomic groups and possessive quantifiers are not supported by the mesh (RE2).";
  try {
    // RE2 spellings JavaScript lacks: (?P<name>…) groups and (?i) / (?i:…) flag groups.
    const js = pattern
      .replaceAll("(?P<", "(?<")
      .replace(/\(\?-?[imsU]+\)/g, "")
      .replace(/\(\?-?[imsU]+:/g, "(?:");
    new RegExp(js);
  } catch {
    return "This regular expression does not compile; check brackets and escapes.";
  }
  return undefined;
}
