// Public names of the scripts concept: the Lua scripts and their checked loader (internal to the package).
export { ackFrame2 } from "./ack-frame-2.js";
export { checkScript, defineScript } from "./script-loader.js";
export type { LoadedScript, ScriptSource } from "./script-loader.js";
