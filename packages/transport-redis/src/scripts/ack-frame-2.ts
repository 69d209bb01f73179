// Lua: records that one more reader took a stream entry; the last reader deletes it (frees the frame's memory).

import type { ScriptSource } from "./script-loader.js";

/**
 * Why a script: the read count and the XDEL must be one step, and nothing may be written once the request's
 * stream is gone (a late reader after cleanup would otherwise re-create the acks hash).
 */
export const ackFrame2: ScriptSource = {
  file: "ack-frame-2",
  version: 1,
  lua: `
-- KEYS[1] the tag's stream
-- KEYS[2] the request's acks hash
-- ARGV[1] the acks field of the entry (<tag>/<entry id>)
-- ARGV[2] the entry id
-- ARGV[3] how many readers the entry has
-- ARGV[4] TTL of the acks hash, seconds
-- Returns 0 when the stream is gone, 1 when counted, 2 when this was the last reader and the entry was deleted
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
local n = redis.call("HINCRBY", KEYS[2], ARGV[1], 1)
if n >= tonumber(ARGV[3]) then
  redis.call("XDEL", KEYS[1], ARGV[2])
  redis.call("HDEL", KEYS[2], ARGV[1])
  return 2
end
redis.call("EXPIRE", KEYS[2], ARGV[4])
return 1
`,
};
