// Checks of infra/compose.yaml: a zod schema of the compose parts we use (strict per service, so a misspelt key
// fails), then the worker groups (flags parsed by the CLI's parser), Redis's config mount and the build files.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PROBE_SCRIPT, interpolateCompose, parseWorkerArgs, probeEnvProblems, redisAddress } from "./worker-args.js";

/** Compose durations as we write them: `90s`, `1m30s`, `500ms`. */
const duration = z.string().regex(/^(\d+h)?(\d+m(?!s))?(\d+s)?(\d+ms)?$/, "a compose duration like 90s or 1m30s").refine((s) => s !== "", "empty duration");

const healthcheck = z.strictObject({
  test: z.tuple([z.enum(["CMD", "CMD-SHELL"])], z.string().min(1)),
  interval: duration,
  timeout: duration,
  retries: z.number().int().min(1),
  start_period: duration.optional(),
});

const service = z.strictObject({
  image: z.string().min(1).optional(),
  build: z.strictObject({ context: z.string().min(1), dockerfile: z.string().min(1) }).optional(),
  command: z.array(z.string()).min(1).optional(),
  entrypoint: z.array(z.string()).min(1).optional(),
  environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  volumes: z.array(z.string().min(1)).optional(),
  ports: z.array(z.string().regex(/^(\d+\.\d+\.\d+\.\d+:)?\d+:\d+$/)).optional(),
  depends_on: z.record(z.string(), z.strictObject({ condition: z.enum(["service_started", "service_healthy", "service_completed_successfully"]) })).optional(),
  healthcheck: healthcheck.optional(),
  restart: z.enum(["no", "always", "on-failure", "unless-stopped"]).optional(),
  stop_grace_period: duration.optional(),
  init: z.boolean().optional(),
  profiles: z.array(z.string().min(1)).optional(),
});

/** The top level: services and volumes, plus `x-*` extension fields (YAML anchors). */
export const composeSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional(),
    services: z.record(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/), service),
    volumes: z.record(z.string(), z.strictObject({}).nullable()).optional(),
  })
  .catchall(z.unknown())
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o)) if (!["name", "services", "volumes"].includes(k) && !k.startsWith("x-")) ctx.addIssue({ code: "custom", path: [k], message: `unknown top-level key ${k}` });
  })
  .superRefine((o, ctx) => {
    for (const [name, s] of Object.entries(o.services)) if (s.image === undefined && s.build === undefined) ctx.addIssue({ code: "custom", path: ["services", name], message: "needs image or build" });
  });

export type Compose = z.output<typeof composeSchema>;
type Service = Compose["services"][string];

/** Seconds of a compose duration. */
export function seconds(d: string): number {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return [...d.matchAll(/(\d+)(ms|h|m|s)/g)].reduce((t, m) => t + Number(m[1]) * unit[m[2]!]!, 0);
}

/** Stand-in values for the variables compose would read from the shell or infra/.env. */
const SHELL_ENV = new Map([["REDIS_PASSWORD", "test-password"]]);

function expand(values: readonly string[]): string[] {
  return values.map((v) => interpolateCompose(v, SHELL_ENV).text);
}

/** One worker service: flags, probe env, grace period, dependency on the Redis it points at. */
function workerServiceProblems(c: Compose, name: string, s: Service): { group?: string; host?: number; hosts?: number; problems: string[] } {
  const parsed = parseWorkerArgs(expand(s.command!.slice(1)));
  if ("problem" in parsed) return { problems: [`service ${name}: apb worker would refuse its flags: ${parsed.problem}`] };
  const o = parsed.options;
  const problems: string[] = [];
  const env = new Map(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolateCompose(v, SHELL_ENV).text]));
  problems.push(...probeEnvProblems(`service ${name}`, env, o));
  if (env.get("APB_HOSTS") !== undefined && env.get("APB_HOSTS") !== String(o.hosts)) problems.push(`service ${name}: APB_HOSTS ${env.get("APB_HOSTS")} differs from --hosts ${o.hosts}`);
  if (s.stop_grace_period === undefined || seconds(s.stop_grace_period) * 1000 < o.drainMs + 10_000) problems.push(`service ${name}: stop_grace_period must exceed --drain-ms ${o.drainMs} + 10 s`);
  const redis = redisAddress(o.redis)?.host ?? "";
  if (c.services[redis] === undefined) problems.push(`service ${name}: --redis points at ${redis}, which is no service`);
  if (s.depends_on?.[redis]?.condition !== "service_healthy") problems.push(`service ${name}: should depend on ${redis} being healthy`);
  const check: readonly string[] = s.healthcheck?.test ?? [];
  if (!check.includes(PROBE_SCRIPT)) problems.push(`service ${name}: healthcheck should run ${PROBE_SCRIPT}`);
  if (s.restart === undefined || s.restart === "no") problems.push(`service ${name}: a crashed worker must be restarted (restart policy)`);
  return { group: o.group, host: o.host, hosts: o.hosts, problems };
}

/** Every group has hosts 0..H-1 exactly once, and every host agrees on H. */
function groupProblems(members: ReadonlyMap<string, { host: number; hosts: number }[]>): string[] {
  const problems: string[] = [];
  for (const [group, hosts] of members) {
    const h = hosts.length;
    const indices = hosts.map((x) => x.host).sort((a, b) => a - b);
    if (indices.join() !== Array.from({ length: h }, (_, i) => i).join()) problems.push(`group ${group}: hosts ${indices.join(", ")}, expected 0..${h - 1} once each`);
    for (const x of hosts) if (x.hosts !== h) problems.push(`group ${group}: host ${x.host} says --hosts ${x.hosts} but the group has ${h} worker services`);
  }
  return problems;
}

/** Bind-mounted files exist, named volumes are declared, a config file in the command is mounted. */
function mountProblems(c: Compose, name: string, s: Service, dir: string): string[] {
  const problems: string[] = [];
  const mounted = new Set<string>();
  for (const v of s.volumes ?? []) {
    const [source, target] = v.split(":");
    if (source!.startsWith(".")) {
      if (!existsSync(join(dir, source!))) problems.push(`service ${name}: bind source ${source} does not exist`);
    } else if (c.volumes?.[source!] === undefined) problems.push(`service ${name}: named volume ${source} is not declared`);
    mounted.add(target!);
  }
  for (const arg of s.command ?? []) {
    if (arg.endsWith(".conf") && ![...mounted].some((t) => arg === t || arg.startsWith(`${t}/`))) problems.push(`service ${name}: ${arg} is not mounted`);
  }
  return problems;
}

/** @param dir the folder of compose.yaml (relative paths start there). @returns the worker groups and problems. */
export function composeProblems(c: Compose, dir: string): { groups: Map<string, number>; problems: string[] } {
  const problems: string[] = [];
  const members = new Map<string, { host: number; hosts: number }[]>();
  for (const [name, s] of Object.entries(c.services)) {
    problems.push(...mountProblems(c, name, s, dir));
    if (s.build !== undefined && !existsSync(join(dir, s.build.context, s.build.dockerfile))) problems.push(`service ${name}: ${s.build.dockerfile} not found in ${s.build.context}`);
    if (s.command?.[0] !== "worker") continue;
    const r = workerServiceProblems(c, name, s);
    problems.push(...r.problems);
    if (r.group !== undefined) members.set(r.group, [...(members.get(r.group) ?? []), { host: r.host!, hosts: r.hosts! }]);
  }
  problems.push(...groupProblems(members));
  return { groups: new Map([...members].map(([g, m]) => [g, m.length])), problems };
}
