// Public names of small shared utilities.
export { NEG_INF_ORDER_KEY, floatOrderKey, isNaNBits } from "./float-order.js";
export { Prng } from "./prng.js";
