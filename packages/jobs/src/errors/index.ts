// Public names of the errors concept.
export { JobLostError, RetryableJobError, decodeJobError, encodeJobError, jobErrorCode, throwIfAborted, toBullFailure } from "./job-errors.js";
