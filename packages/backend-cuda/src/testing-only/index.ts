// Test-only helpers (excluded from the build): a host-memory stand-in for the addon and the numerical assertion.
export { fakeDevice } from "./fake-device.js";
export type { FakeStats } from "./fake-device.js";
export { expectClose } from "./expect-close.js";
