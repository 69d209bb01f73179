// `kg-extract view`: the graph as one self-contained HTML file (open it in any browser; no server, no network).

import { EXIT, defineCommand, help, textArg } from "@apb/cli/toolkit";
import { z } from "zod";
import { renderHtml } from "../view/index.js";
import { readDatabase, writeOutput } from "./export-command.js";
import { PROGRAM } from "./program.js";

export const viewOptions = z.object({
  db: textArg().meta(help("the graph database `kg-extract run` wrote", "FILE")),
  out: textArg().meta(help("the HTML file to write", "FILE")),
  title: textArg().default("kg-extract graph").meta(help("page title", "TEXT")),
});

export const viewCommand = defineCommand({
  name: "view",
  program: PROGRAM,
  summary: "write a self-contained HTML view of the graph (SVG layout, labels, search)",
  usage: "--db FILE --out graph.html [--title TEXT]",
  schema: viewOptions,
  async run(o, io) {
    const g = readDatabase(o.db);
    await writeOutput(o.out, renderHtml(g, o.title), "view");
    io.stderr.write(`kg-extract: wrote ${o.out} (${g.nodes.length} entities, ${g.edges.length} facts)\n`);
    return EXIT.ok;
  },
});
