// A checkpoint's tensors behind one name → tensor API, whether in one model.safetensors or sharded
// through model.safetensors.index.json (weight_map: tensor name → shard file, validated on open).

import { readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize } from "node:path";
import { z } from "zod";
import { ModelError } from "../errors/apb-error.js";
import { SafetensorsFile } from "./safetensors.js";
import type { TensorSource } from "./safetensors.js";

export const SINGLE_FILE_NAME = "model.safetensors";
export const INDEX_FILE_NAME = "model.safetensors.index.json";

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  weight_map: z.record(z.string(), z.string()),
});

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function invalid(path: string, message: string, cause?: unknown): ModelError {
  return new ModelError("SAFETENSORS_INVALID", `${path}: ${message}`, { cause, data: { path } });
}

/** Reads and validates an index file; returns tensor → shard path (shards must stay inside the index's folder). */
async function readIndex(indexPath: string): Promise<Map<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, "utf8"));
  } catch (err) {
    throw invalid(indexPath, `cannot read the index as JSON (${(err as Error).message})`, err);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) throw invalid(indexPath, `needs a "weight_map" object mapping tensor names to shard file names`);
  const dir = dirname(indexPath);
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(parsed.data.weight_map)) {
    const rel = normalize(shard);
    if (isAbsolute(rel) || rel.startsWith("..")) throw invalid(indexPath, `shard "${shard}" of "${name}" must be a file name inside ${dir}`);
    map.set(name, join(dir, rel));
  }
  if (map.size === 0) throw invalid(indexPath, "weight_map is empty");
  return map;
}

/** All tensors of a checkpoint (one file or shards). Close it when done. */
export class SafetensorsCheckpoint implements TensorSource {
  readonly source: string;
  private readonly files: readonly SafetensorsFile[];
  private readonly byName: ReadonlyMap<string, SafetensorsFile>;

  private constructor(source: string, files: readonly SafetensorsFile[], byName: Map<string, SafetensorsFile>) {
    this.source = source;
    this.files = files;
    this.byName = byName;
  }

  /**
   * Opens a checkpoint folder (model.safetensors, else model.safetensors.index.json), an index file, or one .safetensors file.
   * @throws ModelError TENSOR_MISSING when the folder holds no safetensors weights, SAFETENSORS_INVALID for bad files or index entries
   */
  static async open(path: string): Promise<SafetensorsCheckpoint> {
    if (path.endsWith(".index.json")) return SafetensorsCheckpoint.openIndex(path);
    if (await isFile(path)) return SafetensorsCheckpoint.openSingle(path);
    if (await isFile(join(path, SINGLE_FILE_NAME))) return SafetensorsCheckpoint.openSingle(join(path, SINGLE_FILE_NAME));
    if (await isFile(join(path, INDEX_FILE_NAME))) return SafetensorsCheckpoint.openIndex(join(path, INDEX_FILE_NAME));
    throw new ModelError(
      "TENSOR_MISSING",
      `${path} has neither ${SINGLE_FILE_NAME} nor ${INDEX_FILE_NAME}: give a checkpoint folder with safetensors weights (convert .bin weights to safetensors first)`,
      { data: { path } },
    );
  }

  private static async openSingle(file: string): Promise<SafetensorsCheckpoint> {
    const f = await SafetensorsFile.open(file);
    return new SafetensorsCheckpoint(file, [f], new Map(f.names().map((n) => [n, f])));
  }

  private static async openIndex(indexPath: string): Promise<SafetensorsCheckpoint> {
    const map = await readIndex(indexPath);
    const opened = new Map<string, SafetensorsFile>();
    try {
      const byName = new Map<string, SafetensorsFile>();
      for (const [name, shardPath] of map) {
        let shard = opened.get(shardPath);
        if (shard === undefined) {
          shard = await SafetensorsFile.open(shardPath);
          opened.set(shardPath, shard);
        }
        if (!shard.has(name)) throw invalid(indexPath, `weight_map puts "${name}" in ${basename(shardPath)}, which has no such tensor`);
        byName.set(name, shard);
      }
      return new SafetensorsCheckpoint(indexPath, [...opened.values()], byName);
    } catch (err) {
      await Promise.all([...opened.values()].map((f) => f.close()));
      throw err;
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  shape(name: string): readonly number[] | undefined {
    return this.byName.get(name)?.shape(name);
  }

  /** @throws ModelError TENSOR_MISSING for an unknown name; see SafetensorsFile.read */
  async read(name: string): Promise<Float32Array> {
    const file = this.byName.get(name);
    if (file === undefined) throw new ModelError("TENSOR_MISSING", `${this.source} has no tensor "${name}"`, { data: { source: this.source, name } });
    return file.read(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
  }
}
