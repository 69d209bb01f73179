// A strict little XML 1.0 well-formedness parser for tests (no dependency has one): declaration, comments,
// elements with quoted attributes, predefined and numeric entities, one root, legal characters only. It throws on
// anything malformed and returns the element tree.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "<") throw new Error(`XML: raw '<' at ${where + i}`);
    if (c !== "&") {
      out += c;
      continue;
    }
    const m = ENTITY.exec(raw.slice(i));
    if (m === null) throw new Error(`XML: bad entity at ${where + i}: ${raw.slice(i, i + 12)}`);
    const e = m[1]!;
    out += e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : NAMED[e]!;
    i += m[0].length - 1;
  }
  return out;
}

/** Parses a whole document; throws Error("XML: ...") when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const bad = NOT_XML.exec(xml);
  if (bad !== null) throw new Error(`XML: illegal character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index}`);
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipSpace = (): void => void (i += /^\s*/.exec(xml.slice(i))![0].length);
  if (xml.startsWith("<?xml")) i = xml.indexOf("?>") + 2;
  while (i < xml.length) {
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i);
      if (end < 0) throw new Error("XML: unterminated comment");
      i = end + 3;
    } else if (xml.startsWith("</", i)) {
      const m = NAME.exec(xml.slice(i + 2));
      const top = stack.pop();
      if (m === null || top === undefined || m[0] !== top.name) throw new Error(`XML: mismatched end tag at ${i}`);
      i += 2 + m[0].length;
      skipSpace();
      if (xml[i++] !== ">") throw new Error(`XML: bad end tag at ${i}`);
    } else if (xml[i] === "<") {
      const parent = stack[stack.length - 1];
      const el = openTag();
      if (parent === undefined) {
        if (root !== undefined) throw new Error("XML: more than one root element");
        root = el;
      } else parent.children.push(el);
    } else {
      const end = xml.indexOf("<", i) < 0 ? xml.length : xml.indexOf("<", i);
      const text = decode(xml.slice(i, end), i);
      if (stack.length === 0 && text.trim() !== "") throw new Error(`XML: text outside the root at ${i}`);
      if (stack.length > 0) stack[stack.length - 1]!.text += text;
      i = end;
    }
  }
  if (stack.length > 0 || root === undefined) throw new Error("XML: unclosed elements or no root");
  return root;

  function openTag(): XmlElement {
    const m = NAME.exec(xml.slice(i + 1));
    if (m === null) throw new Error(`XML: bad tag at ${i}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
    i += 1 + m[0].length;
    for (;;) {
      skipSpace();
      if (xml.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (xml[i] === ">") {
        i++;
        stack.push(el);
        return el;
      }
      const a = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
      if (a === null) throw new Error(`XML: bad attribute at ${i}: ${xml.slice(i, i + 20)}`);
      if (a[1]! in el.attrs) throw new Error(`XML: duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = decode(a[3] ?? a[4]!, i);
      i += a[0].length;
    }
  }
}
