// Public names of the errors concept.
export { RetryableJobError, decodeJobError, encodeJobError, jobErrorCode, throwIfAborted, toBullFailure } from "./job-errors.js";
