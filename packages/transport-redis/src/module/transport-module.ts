// The transport-module entry core's host threads load (`createTransport`, core's TransportFactory): one Redis
// connection and transport per request and host, closed with the transport; plus the cleanup a group leader runs.

import type { ClosableTransport, TransportFactory, TransportInit } from "@apb/core";
import { z } from "zod";
import { RedisConnection } from "../connection/index.js";
import { KEY_PART_PATTERN } from "../keys/index.js";
import { RedisConfigError, redisTransportOptionsSchema } from "../options/index.js";
import type { RedisTransportOptionsInput } from "../options/index.js";
import { RedisRequestScope } from "../transport/index.js";

/** The module's `options`: the connection options plus the worker group the request runs on. */
export const redisTransportModuleOptionsSchema = redisTransportOptionsSchema.extend({
  /** Part of every key of the request (letters, digits, `_.-`). */
  group: z.string().regex(KEY_PART_PATTERN).default("default"),
});

export type RedisTransportModuleOptions = z.input<typeof redisTransportModuleOptionsSchema>;

function split(options: unknown): { group: string; connection: RedisTransportOptionsInput } {
  const r = redisTransportModuleOptionsSchema.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RedisConfigError(`Redis transport module option ${issue.path.join(".") || "(options)"}: ${issue.message}`, { field: issue.path.join(".") });
  }
  const { group, ...connection } = r.data;
  return { group, connection };
}

/**
 * Connects and returns this host's transport for the request named `requestKey` (the same string on every host;
 * letters, digits, `_.-`). close() closes the transport and its connection; the keys stay for cleanupRequest.
 * @throws RedisConfigError for bad options; InputError for a bad requestKey; TransportError TRANSPORT_CLOSED when
 * Redis cannot be reached.
 */
export const createTransport: TransportFactory = async (init: TransportInit): Promise<ClosableTransport> => {
  const { group, connection: options } = split(init.options);
  const connection = await RedisConnection.connect(options);
  try {
    const transport = new RedisRequestScope(connection, { group, request: init.requestKey, numHosts: init.numHosts }).transport(init.host);
    return {
      host: transport.host,
      numHosts: transport.numHosts,
      put: (tag, frame, numReaders) => transport.put(tag, frame, numReaders),
      take: (tag, from, opts) => transport.take(tag, from, opts),
      fail: (error) => transport.fail(error),
      close: async () => {
        await transport.close();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
};

/**
 * Deletes every key of a request (run once by the group leader after every host has finished or failed).
 * @returns the number of keys deleted. @throws as createTransport.
 */
export async function cleanupRequest(options: RedisTransportModuleOptions, requestKey: string): Promise<number> {
  const { group, connection: parsed } = split(options);
  const connection = await RedisConnection.connect(parsed);
  try {
    return await new RedisRequestScope(connection, { group, request: requestKey, numHosts: 1 }).cleanup();
  } finally {
    await connection.close();
  }
}
