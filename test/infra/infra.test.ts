// Static checks of infra/ (no Docker or cluster needed): every YAML parses; every Kubernetes object validates against
// the Kubernetes schemas; cross-references hold; compose.yaml has the shape we use; redis.conf keeps noeviction.
// Broken copies of the real files must be rejected, so each check is shown to be able to fail.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";
import { composeProblems, composeSchema } from "./compose-checks.js";
import type { Compose } from "./compose-checks.js";
import { referenceProblems, schemaProblems, workerProblems } from "./k8s-checks.js";
import type { K8sObject } from "./k8s-checks.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INFRA = join(ROOT, "infra");
const K8S = join(INFRA, "k8s");

const kustomizationSchema = z.strictObject({
  apiVersion: z.literal("kustomize.config.k8s.io/v1beta1"),
  kind: z.literal("Kustomization"),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  labels: z.array(z.strictObject({ pairs: z.record(z.string(), z.string()), includeSelectors: z.boolean().optional() })).optional(),
  resources: z.array(z.string().min(1)).min(1),
  images: z.array(z.strictObject({ name: z.string(), newName: z.string().optional(), newTag: z.string().optional() })).optional(),
});

/** Every document of a YAML file as plain data. @throws on any YAML error or warning. */
function readYamlDocs(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"), { merge: true });
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.errors.length + d.warnings.length > 0) throw new Error(`${path}: ${[...d.errors, ...d.warnings].map((e) => e.message).join("; ")}`);
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((x) => x !== null && x !== undefined);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

const kustomization = kustomizationSchema.parse(parse(readFileSync(join(K8S, "kustomization.yaml"), "utf8")));
const objects: K8sObject[] = kustomization.resources.flatMap((file) => readYamlDocs(join(K8S, file)).map((obj) => ({ file, obj: obj as Record<string, unknown> })));
const compose = composeSchema.parse(parse(readFileSync(join(INFRA, "compose.yaml"), "utf8"), { merge: true }));
const redisConf = readFileSync(join(INFRA, "redis.conf"), "utf8");

/** The last value of each directive (Redis's rule), comments and blank lines skipped. */
function redisDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const [name, ...rest] = line.split(/\s+/);
    out.set(name!.toLowerCase(), rest.join(" "));
  }
  return out;
}

function redisConfProblems(text: string): string[] {
  const d = redisDirectives(text);
  const problems: string[] = [];
  if (d.get("maxmemory-policy") !== "noeviction") problems.push(`maxmemory-policy is ${d.get("maxmemory-policy") ?? "unset (volatile-lru)"}; BullMQ requires noeviction`);
  if (d.get("protected-mode") !== "yes") problems.push("protected-mode must stay yes");
  if (d.get("appendonly") !== "yes" && (d.get("save") ?? "") === "") problems.push("no persistence: a restart would lose every queued job");
  if (d.has("requirepass")) problems.push("requirepass belongs in a secret, not in redis.conf");
  return problems;
}

/** A deep copy of the manifests with one object changed. */
function withObject(kind: string, name: string, change: (o: Record<string, unknown>) => void): K8sObject[] {
  const copy = structuredClone(objects);
  const target = copy.find((o) => o.obj.kind === kind && (o.obj.metadata as { name: string }).name === name);
  if (target === undefined) throw new Error(`no ${kind} ${name} in the manifests`);
  change(target.obj);
  return copy;
}

interface WorkerPod {
  replicas: number;
  podManagementPolicy: string;
  template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[]; volumes?: { configMap?: { name: string } }[] } };
}

const spec = (o: Record<string, unknown>): WorkerPod => o.spec as WorkerPod;

describe("infra/ files", () => {
  it("every YAML file parses (compose with its merge keys)", () => {
    const files = yamlFiles(INFRA);
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) expect(readYamlDocs(f).length, f).toBeGreaterThan(0);
  });

  it("kustomization.yaml lists every manifest of infra/k8s", () => {
    const present = readdirSync(K8S).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...kustomization.resources].sort()).toEqual(present.sort());
  });

  it("every Kubernetes object validates against the Kubernetes schemas", () => {
    expect(objects.flatMap(schemaProblems)).toEqual([]);
    const kinds = objects.map((o) => o.obj.kind).sort();
    expect(kinds).toEqual(["ConfigMap", "Namespace", "Secret", "Service", "Service", "StatefulSet", "StatefulSet"]);
  });

  it("cross-references hold: selectors, Secrets, ConfigMaps, $(VAR)s, the namespace", () => {
    expect(referenceProblems(objects, kustomization.namespace)).toEqual([]);
  });

  it("the worker group: --hosts = replicas, --host = ordinal, Parallel, one GPU, drain fits the grace period", () => {
    const r = workerProblems(objects, ROOT);
    expect(r.problems).toEqual([]);
    expect(Object.fromEntries(r.groups)).toEqual({ g0: 2 });
  });

  it("the Redis ConfigMap is infra/redis.conf verbatim", () => {
    const cm = objects.find((o) => o.obj.kind === "ConfigMap")!.obj as { data: Record<string, string> };
    expect(cm.data["redis.conf"]).toBe(redisConf);
  });

  it("compose.yaml: the shape we use, one group of 2 hosts whose flags agree", () => {
    const r = composeProblems(compose, INFRA);
    expect(r.problems).toEqual([]);
    expect(Object.fromEntries(r.groups)).toEqual({ g0: 2 });
  });

  it("redis.conf: noeviction, protected mode, persistence, no password in the file", () => {
    expect(redisConfProblems(redisConf)).toEqual([]);
  });

  const kubectl = (() => {
    try {
      execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  if (!kubectl) console.warn("kubectl is not installed: skipping the `kubectl kustomize infra/k8s` build check");
  it.skipIf(!kubectl)("kubectl kustomize builds the base, every object in namespace apb", () => {
    const built = parseAllDocuments(execFileSync("kubectl", ["kustomize", K8S], { encoding: "utf8" }));
    const objs = (Array.isArray(built) ? built : []).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } });
    expect(objs).toHaveLength(objects.length);
    for (const o of objs.filter((x) => x.kind !== "Namespace")) expect(o.metadata.namespace).toBe("apb");
  });
});

describe("broken copies are rejected", () => {
  it("a StatefulSet with replicas 'two' or a nameless container fails the Kubernetes schema", () => {
    const bad = withObject("StatefulSet", "apb-worker-g0", (o) => void ((o.spec as Record<string, unknown>).replicas = "two"));
    expect(bad.flatMap(schemaProblems).join("\n")).toMatch(/replicas must be integer/);
    const nameless = withObject("StatefulSet", "apb-redis", (o) => void delete (spec(o).template.spec.containers[0] as { name?: string }).name);
    expect(nameless.flatMap(schemaProblems).join("\n")).toMatch(/containers\/0 must have required property name/);
  });

  it("--hosts that disagrees with replicas, or an ordered group, is reported", () => {
    const three = withObject("StatefulSet", "apb-worker-g0", (o) => void (spec(o).replicas = 3));
    expect(workerProblems(three, ROOT).problems.join("\n")).toMatch(/--hosts 2 but the StatefulSet has 3 replicas/);
    const ordered = withObject("StatefulSet", "apb-worker-g0", (o) => void (spec(o).podManagementPolicy = "OrderedReady"));
    expect(workerProblems(ordered, ROOT).problems.join("\n")).toMatch(/must be Parallel/);
  });

  it("a Service selector typo, a missing ConfigMap, an undefined $(VAR) and a wrong Secret key are reported", () => {
    const selector = withObject("Service", "apb-redis", (o) => void ((o.spec as { selector: Record<string, string> }).selector = { "app.kubernetes.io/name": "apb-rediz" }));
    expect(referenceProblems(selector, "apb").join("\n")).toMatch(/Service apb-redis: its selector .* matches no pod template/);
    const cm = withObject("StatefulSet", "apb-redis", (o) => void (spec(o).template.spec.volumes![0]!.configMap!.name = "apb-redis-conf"));
    expect(referenceProblems(cm, "apb").join("\n")).toMatch(/names ConfigMap apb-redis-conf, which does not exist/);
    const env = withObject("StatefulSet", "apb-worker-g0", (o) => void (spec(o).template.spec.containers[0]!.env = spec(o).template.spec.containers[0]!.env.filter((e) => e.name !== "APB_HOST")));
    expect(referenceProblems(env, "apb").join("\n")).toMatch(/uses \$\(APB_HOST\), which is not in env/);
    const key = withObject("Secret", "apb-redis", (o) => void (o.stringData = { pasword: "x" }));
    expect(referenceProblems(key, "apb").join("\n")).toMatch(/reads Secret apb-redis key password, which does not exist/);
  });

  it("compose: two host 0s, a misspelt key, an unknown restart policy, a probe watching another group", () => {
    const twice = structuredClone(compose) as Compose;
    const cmd = twice.services["worker-1"]!.command!;
    cmd[cmd.indexOf("--host") + 1] = "0";
    expect(composeProblems(twice, INFRA).problems.join("\n")).toMatch(/group g0: hosts 0, 0, expected 0..1 once each/);
    const raw = parse(readFileSync(join(INFRA, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Record<string, unknown>> };
    const typo = structuredClone(raw);
    typo.services["worker-0"]!.stop_grace_periods = "90s";
    expect(composeSchema.safeParse(typo).success).toBe(false);
    const restart = structuredClone(raw);
    restart.services.redis!.restart = "sometimes";
    expect(composeSchema.safeParse(restart).success).toBe(false);
    const probe = structuredClone(compose) as Compose;
    (probe.services["worker-1"]!.environment as Record<string, string>).APB_GROUP = "g1";
    expect(composeProblems(probe, INFRA).problems.join("\n")).toMatch(/env APB_GROUP is "g1" but the worker flag gives "g0"/);
  });

  it("redis.conf with an eviction policy or without one is rejected", () => {
    expect(redisConfProblems(`${redisConf}\nmaxmemory-policy allkeys-lru\n`)).toEqual([expect.stringMatching(/allkeys-lru; BullMQ requires noeviction/)]);
    expect(redisConfProblems(redisConf.replace(/^maxmemory-policy .*$/m, ""))).toEqual([expect.stringMatching(/unset/)]);
  });
});
