// `kg-extract export`: the graph database as JSON, GraphML or Cypher, to a file or stdout.

import { writeFile } from "node:fs/promises";
import { EXIT, choiceArg, defineCommand, help, textArg } from "@apb/cli/toolkit";
import type { CliIo } from "@apb/cli/toolkit";
import { z } from "zod";
import { UsageError } from "../errors/index.js";
import { EXPORT_FORMATS, exportGraph } from "../export/index.js";
import { GraphStore } from "../store/index.js";
import type { GraphData } from "../store/index.js";
import { PROGRAM } from "./program.js";

export const exportOptions = z.object({
  db: textArg().meta(help("the graph database `kg-extract run` wrote", "FILE")),
  format: choiceArg(EXPORT_FORMATS).meta(help("json (everything, with provenance), graphml (yEd, Gephi, NetworkX) or cypher (a Neo4j import script)", "json|graphml|cypher")),
  out: textArg().optional().meta(help("write to FILE (default: stdout)", "FILE")),
});

/** Reads the whole graph of a database (read-only). @throws StoreError INPUT_INVALID for a missing or foreign file */
export function readDatabase(file: string): GraphData {
  const store = GraphStore.open(file, { readonly: true });
  try {
    return store.readGraph();
  } finally {
    store.close();
  }
}

/** Writes `text` to `out`. @throws UsageError when the file cannot be written */
export async function writeOutput(out: string, text: string, command: string): Promise<void> {
  try {
    await writeFile(out, text);
  } catch (err) {
    throw new UsageError(`cannot write --out ${out}: ${(err as Error).message}`, command);
  }
}

export const exportCommand = defineCommand({
  name: "export",
  program: PROGRAM,
  summary: "export the graph as JSON, GraphML or Cypher",
  usage: "--db FILE --format json|graphml|cypher [--out FILE]",
  schema: exportOptions,
  async run(o, io: CliIo) {
    const text = exportGraph(readDatabase(o.db), o.format);
    if (o.out === undefined) io.stdout.write(text);
    else await writeOutput(o.out, text, "export");
    return EXIT.ok;
  },
});
