// The one place that builds Redis key names (STYLE.md G9): `<prefix>:<concept>:<group>:{<request>}[:<tag>]`.
// The `{request}` hash tag puts every key of a request in one cluster slot, so multi-key commands stay legal.

import { InputError } from "@apb/core";

/** Group ids, request ids and key prefixes: no braces, spaces or `*` (hash tags and SCAN patterns stay intact). */
export const KEY_PART_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
/** Prefixes may contain colons (`tenant:apb`). */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Transport tags as the engine writes them: `kv:<layer>`, `p:<step>:<layer>`, `t:<step>`. */
export const TAG_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

function check(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new InputError("INPUT_INVALID", `${what} ${JSON.stringify(value)} must match ${pattern.source}`);
  return value;
}

/** Every key of one request of one group. */
export class RequestKeys {
  /** `{request}`: the cluster hash tag every key of this request carries. */
  readonly hashTag: string;

  constructor(
    private readonly prefix: string,
    readonly group: string,
    readonly request: string,
  ) {
    check("group id", group, KEY_PART_PATTERN);
    check("request id", request, KEY_PART_PATTERN);
    this.hashTag = `{${request}}`;
  }

  /** The set of every key this request created (cleanup deletes its members, then itself). */
  get registry(): string {
    return `${this.prefix}:keys:${this.group}:${this.hashTag}`;
  }

  /** The control stream: failure reports that every pending take of every host also reads. */
  get control(): string {
    return `${this.prefix}:control:${this.group}:${this.hashTag}`;
  }

  /** Hash of read counts per stream entry (`<tag>/<entry id>` → readers so far), so the last reader frees it. */
  get acks(): string {
    return `${this.prefix}:acks:${this.group}:${this.hashTag}`;
  }

  /** The stream of one transport tag (one entry per host that put under it). */
  stream(tag: string): string {
    return `${this.prefix}:stream:${this.group}:${this.hashTag}:${check("tag", tag, TAG_PATTERN)}`;
  }

  /** The ack-hash field of one entry of one tag's stream. */
  ackField(tag: string, entryId: string): string {
    return `${tag}/${entryId}`;
  }
}

/** Key names under one prefix (BullMQ's QueueKeys). */
export class RedisKeys {
  constructor(readonly prefix: string) {
    check("key prefix", prefix, KEY_PREFIX_PATTERN);
  }

  request(group: string, request: string): RequestKeys {
    return new RequestKeys(this.prefix, group, request);
  }

  /** A SCAN MATCH pattern for every key under this prefix (leak checks, operator tools). */
  get matchAll(): string {
    return `${this.prefix}:*`;
  }
}
