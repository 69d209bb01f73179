// Public names of small shared utilities.
export { Prng } from "./prng.js";
