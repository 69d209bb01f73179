// Lua scripts of the transport (STYLE.md G9): each script module is named `<command>-<numKeys>`, opens with a
// KEYS/ARGV/Returns header, and is registered on a client under a versioned name. The loader checks the header.

import { ApbError } from "@apb/core";
import type { Redis } from "ioredis";

/** A script module's content: its file name (without extension) and its Lua text. */
export interface ScriptSource {
  /** `<command>-<numKeys>`, e.g. `ack-frame-2`. */
  readonly file: string;
  /** Bumped whenever the Lua changes, so workers of mixed versions never run each other's scripts. */
  readonly version: number;
  readonly lua: string;
}

/** A checked script, ready to define on a client. */
export interface LoadedScript {
  /** The ioredis command name: camelCase command + version, e.g. `apbAckFrameV1`. */
  readonly name: string;
  readonly numKeys: number;
}

function camel(command: string): string {
  return command.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Checks a script's header against its file name.
 * @throws ApbError INTERNAL when the key count in the name disagrees with the `-- KEYS[i]` lines of the header.
 */
export function checkScript(src: ScriptSource): LoadedScript {
  const m = /^([a-z]+(?:-[a-z]+)*)-(\d+)$/.exec(src.file);
  if (m === null) throw new ApbError("INTERNAL", `script ${src.file}: name it <command>-<numKeys>`);
  const numKeys = Number(m[2]);
  const header = src.lua.trimStart().split("\n").filter((l) => l.startsWith("--"));
  const declared = header.filter((l) => /^--\s+KEYS\[\d+\]/.test(l)).length;
  if (declared !== numKeys) throw new ApbError("INTERNAL", `script ${src.file}: the name says ${numKeys} keys, the header declares ${declared}`);
  if (!header.some((l) => /^--\s+ARGV\[\d+\]/.test(l)) || !header.some((l) => /^--\s+Returns/.test(l))) {
    throw new ApbError("INTERNAL", `script ${src.file}: the header needs ARGV and Returns lines`);
  }
  return { name: `apb${camel(`-${m[1]!}`)}V${src.version}`, numKeys };
}

/** Checks and defines a script on a client (ioredis runs EVALSHA and falls back to EVAL). */
export function defineScript(client: Redis, src: ScriptSource): LoadedScript {
  const s = checkScript(src);
  client.defineCommand(s.name, { numberOfKeys: s.numKeys, lua: src.lua });
  return s;
}
