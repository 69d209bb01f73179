// @apb/jobs public API: the BullMQ job layer over worker groups — ApbClient, the worker process, payloads and errors.
export { ApbClient, ClientSession } from "./client/index.js";
export type { AskRequest, CallOptions, ClientOptions, CorpusDocument, CorpusRequest, CorpusResult, GenerateRequest, OpenSessionRequest, SubmittedCorpus, SubmittedJob } from "./client/index.js";
export { ApbWorker, ConfigError, parseWorkerOptions, readSessionRecord, workerOptionsSchema } from "./runtime/index.js";
export type { SessionRecord, SessionState, StartWorkerOptions, WorkerOptions, WorkerOptionsInput } from "./runtime/index.js";
export { JOB_SCHEMAS, PAYLOAD_LIMITS, parsePayload } from "./payloads/index.js";
export type { AggregatedAnswer, CorpusAggregate, DocumentResult, JobKind, JobPayload, JobPayloadInput, JobProgress, JobResult, QuestionAnswer, SessionOpened } from "./payloads/index.js";
export { JobLostError, RetryableJobError, decodeJobError, encodeJobError } from "./errors/index.js";
export { JobKeys, QUEUES } from "./keys/index.js";
