// onnxruntime-node session handling: creation options, runs with typed errors, tensor wrapping.
export { createSession, f32, runSession } from "./ort-session.js";
export type { OrtTensor, Session, SessionSettings } from "./ort-session.js";
