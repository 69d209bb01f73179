// A Cypher lexer for tests: splits a script into statements, checks that strings, backtick identifiers and brackets
// are balanced, and returns every string literal decoded, so escaping can be checked against the original text.

const ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" };

export interface CypherStatement {
  readonly text: string;
  readonly strings: string[];
  readonly identifiers: string[];
}

/** Lexes a script of `;`-terminated statements (comments `// ...` to the end of a line). Throws on malformed input. */
export function lexCypher(script: string): CypherStatement[] {
  const out: CypherStatement[] = [];
  let cur = { text: "", strings: [] as string[], identifiers: [] as string[] };
  const brackets: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "/" && script[i + 1] === "/" && cur.text.trim() === "") {
      i = script.indexOf("\n", i) < 0 ? script.length : script.indexOf("\n", i);
      continue;
    }
    if (c === "'") {
      let s = "";
      for (i++; script[i] !== "'"; i++) {
        if (i >= script.length || script[i] === "\n") throw new Error("Cypher: unterminated string");
        if (script[i] !== "\\") {
          s += script[i];
          continue;
        }
        const e = script[++i]!;
        if (e === "u") {
          const hex = script.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`Cypher: bad \\u escape ${hex}`);
          s += String.fromCharCode(parseInt(hex, 16));
          i += 4;
        } else if (e in ESCAPES) s += ESCAPES[e];
        else throw new Error(`Cypher: bad escape \\${e}`);
      }
      cur.strings.push(s);
      cur.text += "'…'";
    } else if (c === "`") {
      let id = "";
      for (i++; ; i++) {
        if (i >= script.length) throw new Error("Cypher: unterminated identifier");
        if (script[i] === "`" && script[i + 1] === "`") id += script[i++];
        else if (script[i] === "`") break;
        else id += script[i];
      }
      cur.identifiers.push(id);
      cur.text += "`…`";
    } else if (c === ";") {
      if (brackets.length > 0) throw new Error(`Cypher: unbalanced ${brackets.join("")} in ${cur.text}`);
      out.push({ ...cur, text: cur.text.trim() });
      cur = { text: "", strings: [], identifiers: [] };
    } else {
      if ("([{".includes(c)) brackets.push(c);
      if (c in pairs && brackets.pop() !== pairs[c]) throw new Error(`Cypher: unbalanced ${c}`);
      cur.text += c;
    }
  }
  if (cur.text.trim() !== "") throw new Error(`Cypher: statement without ';': ${cur.text}`);
  return out;
}
