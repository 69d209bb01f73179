// Public names of the keys concept.
export { ID_PATTERN, JobKeys, PREFIX_PATTERN, QUEUES, checkId } from "./job-keys.js";
