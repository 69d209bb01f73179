// Public names of the progress concept: the run's documents-and-tokens progress bar.
export { DocumentProgress } from "./document-progress.js";
