// Public names of the payloads concept: job kinds, their schemas and caps, and what jobs return.
export {
  JOB_SCHEMAS,
  PAYLOAD_LIMITS,
  corpusDocumentPayloadSchema,
  corpusPayloadSchema,
  generatePayloadSchema,
  parsePayload,
  sessionAskPayloadSchema,
  sessionClosePayloadSchema,
  sessionOpenPayloadSchema,
} from "./job-payloads.js";
export type { CorpusDocumentPayload, GeneratePayload, JobKind, JobPayload, JobPayloadInput, SessionAskPayload, SessionOpenPayload } from "./job-payloads.js";
export type { AggregatedAnswer, CorpusAggregate, DocumentResult, JobProgress, JobResult, QuestionAnswer, SessionOpened } from "./job-results.js";
