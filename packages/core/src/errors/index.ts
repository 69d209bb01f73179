// Public names of the errors concept.
export {
  ApbError,
  BackendError,
  InputError,
  ModelError,
  PlanError,
  SessionError,
  TransportError,
  deserializeError,
  toApbError,
} from "./apb-error.js";
export type { ApbErrorCode, SerializedApbError } from "./apb-error.js";
