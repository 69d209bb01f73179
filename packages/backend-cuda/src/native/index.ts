// Public names of the native concept: the addon's TypeScript shape and its loader.
export { ADDON_FILE, addonCandidates, loadAddon, loadAddonFrom } from "./load-addon.js";
export type { AddonLoad } from "./load-addon.js";
export { NATIVE_FUNCTIONS, TWIN_FUNCTIONS } from "./native-addon.js";
export type {
  AttentionRouteCode,
  DTypeCode,
  GemmModeCode,
  NativeAddon,
  NativeBuffer,
  NativeContext,
  NativeCublasLtLoad,
  NativeDeviceInfo,
  NativeMemory,
  NativeMemoryInfo,
  NativeOps,
  NativeProbe,
  NativeTwins,
  OpFields,
  OpName,
  OpResult,
  TwinFields,
} from "./native-addon.js";
