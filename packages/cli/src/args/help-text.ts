// Help text generated from a command's schema (so a flag's help cannot drift from its definition).

import type { CommandSpec, OptionsSchema } from "./command.js";
import { optionTable } from "./option-table.js";

function wrap(text: string, indent: number, width: number): string {
  const words = text.split(/\s+/).filter((w) => w !== "");
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur !== "" && indent + cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur === "" ? w : `${cur} ${w}`;
  }
  if (cur !== "") lines.push(cur);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** `apb <cmd> --help`. */
export function formatCommandHelp<S extends OptionsSchema>(spec: CommandSpec<S>, width = 100): string {
  const rows = optionTable(spec.schema);
  const names = rows.map((r) => `--${r.flag}${r.value === "" ? "" : ` ${r.value}`}`);
  names.push("-h, --help");
  const col = Math.min(34, Math.max(...names.map((n) => n.length)) + 2);
  const lines = [`apb ${spec.name} — ${spec.summary}`, "", `Usage: apb ${spec.name} ${spec.usage}`, "", "Options:"];
  rows.forEach((r, i) => {
    let text = r.description;
    if (r.multiple) text += " (repeatable)";
    if (r.required) text += " (required)";
    if (r.defaultText !== undefined) text += ` (default: ${r.defaultText})`;
    const name = names[i]!;
    const pad = name.length + 2 > col ? `\n${" ".repeat(col + 2)}` : " ".repeat(col - name.length);
    lines.push(`  ${name}${pad}${wrap(text, col + 2, width)}`);
  });
  lines.push(`  ${"-h, --help".padEnd(col)}show this help`);
  for (const note of spec.notes ?? []) lines.push("", wrap(note, 0, width));
  return lines.join("\n") + "\n";
}

/** `apb --help`: the visible commands with their summaries. */
export function formatMainHelp(commands: readonly { name: string; summary: string; hidden: boolean }[]): string {
  const shown = commands.filter((c) => !c.hidden);
  const col = Math.max(...shown.map((c) => c.name.length)) + 2;
  return [
    "apb — distributed long-context LLM inference (Star Attention / APB) on one machine",
    "",
    "Usage: apb <command> [options]",
    "",
    "Commands:",
    ...shown.map((c) => `  ${c.name.padEnd(col)}${c.summary}`),
    "",
    "Run `apb <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input. APB_DEBUG=1 prints stack traces.",
    "",
  ].join("\n");
}
