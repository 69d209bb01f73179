// Public names of the model concept: the shipped checkpoint's folder.
export { MODEL_FILES, modelTinyPath } from "./model-path.js";
