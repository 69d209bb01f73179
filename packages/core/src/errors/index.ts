// Public names of the errors concept.
export {
  ApbError,
  BackendError,
  InputError,
  ModelError,
  PlanError,
  TransportError,
  deserializeError,
  toApbError,
} from "./apb-error.js";
export type { ApbErrorCode, SerializedApbError } from "./apb-error.js";
