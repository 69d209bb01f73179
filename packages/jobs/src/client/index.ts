// Public names of the client concept.
export { ApbClient } from "./apb-client.js";
export { ClientSession } from "./client-session.js";
export type { AskRequest, ClientOptions, CorpusDocument, CorpusRequest, CorpusResult, GenerateRequest, OpenSessionRequest, SubmittedCorpus, SubmittedJob } from "./client-types.js";
export type { CallOptions } from "./job-waiter.js";
