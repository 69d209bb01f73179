// Public names of the keys concept: the one builder of Redis key names.
export { KEY_PART_PATTERN, KEY_PREFIX_PATTERN, RedisKeys, RequestKeys, TAG_PATTERN } from "./keys.js";
