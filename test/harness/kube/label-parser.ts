// kube's label selector grammar, lexed and parsed the way apimachinery's labels.Parse does, so that a bad
// selector is refused with the same words (`unable to parse requirement: found '', expected: ',' or ')'`).

type Tok = "id" | "end" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<" | "in" | "notin" | "error";

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const SYMBOLS: Record<string, Tok> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  "<": "<",
  "!=": "!=",
  "(": "(",
};

function lex(input: string): Array<{ tok: Tok; lit: string }> {
  const out: Array<{ tok: Tok; lit: string }> = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (SPECIAL.has(ch)) {
      // The longest run of special characters that is still a symbol.
      let buffer = "";
      let last: { tok: Tok; lit: string } | undefined;
      while (i < input.length && SPECIAL.has(input[i] ?? "")) {
        buffer += input[i];
        const tok = SYMBOLS[buffer];
        if (tok) last = { tok, lit: buffer };
        else if (last) break;
        i++;
      }
      out.push(last ?? { tok: "error", lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = "";
    while (i < input.length && !/\s/.test(input[i] ?? "") && !SPECIAL.has(input[i] ?? "")) word += input[i++];
    out.push({ tok: word === "in" ? "in" : word === "notin" ? "notin" : "id", lit: word });
  }
  out.push({ tok: "end", lit: "" });
  return out;
}

export interface ParsedRequirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!exists" | ">" | "<";
  values: string[];
}

const fail = (message: string): never => {
  throw new Error(message);
};

/** The requirements of `selector`; throws with apimachinery's wording (callers prefix "unable to parse requirement: "). */
export function parseLabels(selector: string): ParsedRequirement[] {
  const items = lex(selector);
  let pos = 0;
  const peek = () => items[pos] ?? { tok: "end" as Tok, lit: "" };
  const next = () => items[pos++] ?? { tok: "end" as Tok, lit: "" };
  const reqs: ParsedRequirement[] = [];
  for (;;) {
    const { tok, lit } = peek();
    if (tok === "end") return reqs;
    if (tok !== "id" && tok !== "!") fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
    reqs.push(requirement());
    const after = next();
    if (after.tok === "end") return reqs;
    if (after.tok !== ",") fail(`found '${after.lit}', expected: ',' or 'end of string'`);
    const t = peek();
    if (t.tok !== "id" && t.tok !== "!") fail(`found '${t.lit}', expected: identifier after ','`);
  }

  function requirement(): ParsedRequirement {
    let negated = false;
    let t = next();
    if (t.tok === "!") {
      negated = true;
      t = next();
    }
    if (t.tok !== "id") fail(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ahead = peek().tok;
    if (negated || ahead === "end" || ahead === ",")
      return { key, op: negated ? "!exists" : "exists", values: [] };
    const op = next();
    if (op.tok === "in" || op.tok === "notin") return { key, op: op.tok, values: setValues() };
    if (!["=", "==", "!=", ">", "<"].includes(op.tok))
      fail(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const v = peek();
    if (v.tok === "end" || v.tok === ",") return { key, op: opOf(op.tok), values: [""] };
    const value = next();
    if (value.tok !== "id") fail(`found '${value.lit}', expected: identifier`);
    return { key, op: opOf(op.tok), values: [value.lit] };
  }

  function setValues(): string[] {
    const open = next();
    if (open.tok !== "(") fail(`found '${open.lit}' expected: '('`);
    const first = peek();
    if (first.tok === ")") {
      next();
      return [];
    }
    if (first.tok !== "id" && first.tok !== ",")
      fail(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const t = next();
      if (t.tok === "id") {
        values.add(t.lit);
        const t2 = peek();
        if (t2.tok === ",") continue;
        if (t2.tok === ")") break;
        fail(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === ",") {
        if (values.size === 0) values.add("");
        const t2 = peek();
        if (t2.tok === ")") {
          values.add("");
          break;
        }
        if (t2.tok === ",") {
          next();
          values.add("");
        }
      } else fail(`found '${t.lit}', expected: ',', or identifier`);
    }
    const close = next();
    if (close.tok !== ")") fail(`found '${close.lit}', expected: ')'`);
    return [...values];
  }
}

function opOf(tok: Tok): ParsedRequirement["op"] {
  return tok === "==" ? "=" : (tok as ParsedRequirement["op"]);
}
