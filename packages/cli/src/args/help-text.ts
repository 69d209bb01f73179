// Help text generated from a command's schema (so a flag's help cannot drift from its definition).

import { DEFAULT_PROGRAM } from "../output/index.js";
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

/** `<program> <cmd> --help`. */
export function formatCommandHelp<S extends OptionsSchema>(spec: CommandSpec<S>, width = 100): string {
  const rows = optionTable(spec.schema);
  const names = rows.map((r) => `--${r.flag}${r.value === "" ? "" : ` ${r.value}`}`);
  names.push("-h, --help");
  const col = Math.min(34, Math.max(...names.map((n) => n.length)) + 2);
  const program = spec.program ?? DEFAULT_PROGRAM;
  const lines = [`${program} ${spec.name} — ${spec.summary}`, "", `Usage: ${program} ${spec.name} ${spec.usage}`, "", "Options:"];
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

/** What the main help says about the program itself. */
export interface MainHelpOptions {
  /** The program's name (default `apb`). */
  readonly program?: string;
  /** The line after `<program> — `. */
  readonly description?: string;
  /** Lists exit code 130 (the program stops cleanly on Ctrl-C). */
  readonly interruptible?: boolean;
}

const APB_DESCRIPTION = "distributed long-context LLM inference (Star Attention / APB) on one machine";

/** `<program> --help`: the visible commands with their summaries. */
export function formatMainHelp(commands: readonly { name: string; summary: string; hidden?: boolean }[], o: MainHelpOptions = {}): string {
  const program = o.program ?? DEFAULT_PROGRAM;
  const shown = commands.filter((c) => c.hidden !== true);
  const col = Math.max(...shown.map((c) => c.name.length)) + 2;
  const interrupted = o.interruptible === true ? ", 130 interrupted" : "";
  return [
    `${program} — ${o.description ?? APB_DESCRIPTION}`,
    "",
    `Usage: ${program} <command> [options]`,
    "",
    "Commands:",
    ...shown.map((c) => `  ${c.name.padEnd(col)}${c.summary}`),
    "",
    `Run \`${program} <command> --help\` for a command's options.`,
    `Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input${interrupted}. APB_DEBUG=1 prints stack traces.`,
    "",
  ].join("\n");
}
