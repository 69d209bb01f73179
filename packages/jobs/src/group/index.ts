// Public names of the group concept: heartbeats, the watch over them, and the group's streams and messages.
export { Heartbeat } from "./heartbeat.js";
export type { HeartbeatOptions } from "./heartbeat.js";
export { GroupWatch } from "./group-watch.js";
export type { GroupWatchEvents, Instances } from "./group-watch.js";
export { GroupStreams } from "./group-streams.js";
export type { Read } from "./group-streams.js";
export { GROUP_MESSAGE_VERSION, announcementSchema, decodeMessage, hostReportSchema, outcomeOf } from "./group-messages.js";
export type { Announcement, HostOutcome, HostReport, ReportedResult } from "./group-messages.js";
export { decodePlan, encodePlan, encodedPlanSchema } from "./plan-codec.js";
export type { EncodedPlan } from "./plan-codec.js";
