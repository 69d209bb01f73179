// Checks of the Kubernetes manifests: each object against the Kubernetes schemas (kubernetes-models), then what a
// schema cannot see: selectors, Secret / ConfigMap / volume references, $(VAR) references and the worker group.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import type { IStatefulSet } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";
import type { IConfigMap, IContainer, IEnvVar, IPodSpec, ISecret, IService } from "kubernetes-models/v1";
import { PROBE_SCRIPT, expandK8s, parseWorkerArgs, probeEnvProblems, redisAddress } from "./worker-args.js";

type ModelClass = new (data: Record<string, unknown>) => { validate(): void };

/** The kinds we ship (and a few an overlay may add); anything else is reported as unknown. */
const MODELS: Record<string, ModelClass> = {
  "v1/Namespace": Namespace as unknown as ModelClass,
  "v1/ConfigMap": ConfigMap as unknown as ModelClass,
  "v1/Secret": Secret as unknown as ModelClass,
  "v1/Service": Service as unknown as ModelClass,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim as unknown as ModelClass,
  "apps/v1/StatefulSet": StatefulSet as unknown as ModelClass,
  "apps/v1/Deployment": Deployment as unknown as ModelClass,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as ModelClass,
};

/** A manifest object with where it came from. */
export interface K8sObject {
  readonly file: string;
  readonly obj: Record<string, unknown>;
}

function nameOf(o: K8sObject): string {
  const meta = o.obj.metadata as { name?: string } | undefined;
  return `${o.file}: ${String(o.obj.kind)}/${meta?.name ?? "(no name)"}`;
}

/** Schema validation of one object. @returns problems (empty when valid). */
export function schemaProblems(o: K8sObject): string[] {
  const Model = MODELS[`${String(o.obj.apiVersion)}/${String(o.obj.kind)}`];
  if (Model === undefined) return [`${nameOf(o)}: no schema for ${String(o.obj.apiVersion)} ${String(o.obj.kind)}`];
  try {
    new Model(o.obj).validate();
    return [];
  } catch (err) {
    return [`${nameOf(o)}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/** The objects by kind, typed after schema validation. */
interface Index {
  readonly services: IService[];
  readonly configMaps: IConfigMap[];
  readonly secrets: ISecret[];
  readonly statefulSets: IStatefulSet[];
}

function indexOf(objects: readonly K8sObject[]): Index {
  const all = objects.map((o) => o.obj as unknown);
  return {
    services: all.filter(Service.is),
    configMaps: all.filter(ConfigMap.is),
    secrets: all.filter(Secret.is),
    statefulSets: all.filter(StatefulSet.is),
  };
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function secretHasKey(ix: Index, name: string, key: string): boolean {
  const s = ix.secrets.find((x) => x.metadata?.name === name);
  return s !== undefined && (s.data?.[key] !== undefined || s.stringData?.[key] !== undefined);
}

/** Every Service selects at least one pod template, and a named targetPort is a port of those pods. */
function serviceProblems(ix: Index): string[] {
  const problems: string[] = [];
  for (const svc of ix.services) {
    const name = svc.metadata?.name;
    const pods = ix.statefulSets.filter((s) => matches(svc.spec?.selector, s.spec?.template.metadata?.labels));
    if (pods.length === 0) problems.push(`Service ${name}: its selector ${JSON.stringify(svc.spec?.selector)} matches no pod template`);
    for (const p of svc.spec?.ports ?? []) {
      if (typeof p.targetPort !== "string") continue;
      const named = pods.some((s) => s.spec?.template.spec?.containers.some((c) => c.ports?.some((cp) => cp.name === p.targetPort)));
      if (!named) problems.push(`Service ${name}: targetPort ${p.targetPort} is no named port of the selected pods`);
    }
  }
  return problems;
}

/** Selector ⊆ template labels; serviceName is a Service that selects these pods. */
function statefulSetProblems(ix: Index): string[] {
  const problems: string[] = [];
  for (const s of ix.statefulSets) {
    const name = s.metadata?.name;
    const labels = s.spec?.template.metadata?.labels;
    if (!matches(s.spec?.selector.matchLabels, labels)) problems.push(`StatefulSet ${name}: selector does not match its template's labels`);
    const svc = ix.services.find((x) => x.metadata?.name === s.spec?.serviceName);
    if (svc === undefined) problems.push(`StatefulSet ${name}: serviceName ${s.spec?.serviceName} is no Service`);
    else if (!matches(svc.spec?.selector, labels)) problems.push(`StatefulSet ${name}: Service ${svc.metadata?.name} does not select its pods`);
  }
  return problems;
}

/**
 * ConfigMap and Secret volumes exist (with their items), every mount has a volume (or a claim template), and files
 * named in args under a ConfigMap mount exist.
 */
function volumeProblems(ix: Index, owner: string, pod: IPodSpec, claims: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const files = new Map<string, Set<string>>(); // volume name -> file names it provides
  for (const v of pod.volumes ?? []) {
    if (v.configMap !== undefined) {
      const cm = ix.configMaps.find((x) => x.metadata?.name === v.configMap!.name);
      if (cm === undefined) problems.push(`${owner}: volume ${v.name} names ConfigMap ${v.configMap.name}, which does not exist`);
      for (const it of v.configMap.items ?? []) if (cm !== undefined && cm.data?.[it.key] === undefined) problems.push(`${owner}: ConfigMap ${cm.metadata?.name} has no key ${it.key}`);
      files.set(v.name, new Set((v.configMap.items ?? []).map((it) => it.path).concat(Object.keys(cm?.data ?? {}))));
    }
    if (v.secret !== undefined && !ix.secrets.some((x) => x.metadata?.name === v.secret!.secretName)) problems.push(`${owner}: volume ${v.name} names Secret ${v.secret.secretName}, which does not exist`);
  }
  for (const c of pod.containers) {
    for (const m of c.volumeMounts ?? []) {
      if (!(pod.volumes ?? []).some((v) => v.name === m.name) && !claims.has(m.name)) problems.push(`${owner}/${c.name}: mount ${m.name} has no volume`);
      const provided = files.get(m.name);
      if (provided === undefined) continue;
      for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
        if (arg.startsWith(`${m.mountPath}/`) && !provided.has(arg.slice(m.mountPath.length + 1))) problems.push(`${owner}/${c.name}: ${arg} is not a file of the ConfigMap mounted at ${m.mountPath}`);
      }
    }
  }
  return problems;
}

/** A container's env as name -> value; `valueFrom` entries get a stand-in (`fieldRef` ones from `fields`). */
function envOf(ix: Index, owner: string, c: IContainer, fields: ReadonlyMap<string, string>): { env: Map<string, string>; problems: string[] } {
  const env = new Map<string, string>();
  const problems: string[] = [];
  for (const e of c.env ?? ([] as IEnvVar[])) {
    const secretRef = e.valueFrom?.secretKeyRef;
    const fieldPath = e.valueFrom?.fieldRef?.fieldPath;
    let value: string | undefined;
    if (e.value !== undefined) {
      const x = expandK8s(e.value, env); // only variables defined earlier expand (Kubernetes' rule)
      problems.push(...x.missing.map((m) => `${owner}/${c.name}: env ${e.name} uses $(${m}), which is not defined before it`));
      value = x.text;
    } else if (secretRef !== undefined) {
      if (!secretHasKey(ix, secretRef.name ?? "", secretRef.key)) problems.push(`${owner}/${c.name}: env ${e.name} reads Secret ${secretRef.name} key ${secretRef.key}, which does not exist`);
      value = "secret-value";
    } else if (fieldPath !== undefined) {
      value = fields.get(fieldPath);
      if (value === undefined) problems.push(`${owner}/${c.name}: env ${e.name} reads field ${fieldPath}, which this check does not know`);
    }
    if (value !== undefined) env.set(e.name, value);
  }
  return { env, problems };
}

/** $(VAR) references in command and args name variables of the container. */
function argVarProblems(owner: string, c: IContainer, env: ReadonlyMap<string, string>): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])].flatMap((a) => expandK8s(a, env).missing.map((m) => `${owner}/${c.name}: argument ${a} uses $(${m}), which is not in env`));
}

/** The fields the downward API gives pod `ordinal` of StatefulSet `name`. */
function podFields(name: string, ordinal: number): Map<string, string> {
  return new Map([
    ["metadata.labels['apps.kubernetes.io/pod-index']", String(ordinal)],
    ["metadata.name", `${name}-${ordinal}`],
    ["metadata.namespace", "apb"],
  ]);
}

export interface WorkerGroupCheck {
  /** Worker groups found: group -> replicas. */
  readonly groups: Map<string, number>;
  readonly problems: string[];
}

/** Each pod of a worker StatefulSet: flags parse, --host is its ordinal, --hosts its replicas, probe env agrees. */
function workerPodProblems(ix: Index, s: IStatefulSet, c: IContainer, ordinal: number): { group?: string; problems: string[] } {
  const owner = `StatefulSet ${s.metadata?.name} pod ${ordinal}`;
  const { env, problems } = envOf(ix, owner, c, podFields(s.metadata?.name ?? "", ordinal));
  const argv = (c.args ?? []).slice(1).map((a) => expandK8s(a, env).text);
  const parsed = parseWorkerArgs(argv);
  if ("problem" in parsed) return { problems: [...problems, `${owner}: apb worker would refuse its flags: ${parsed.problem}`] };
  const o = parsed.options;
  const replicas = s.spec?.replicas ?? 1;
  if (o.hosts !== replicas) problems.push(`${owner}: --hosts ${o.hosts} but the StatefulSet has ${replicas} replicas`);
  if (o.host !== ordinal) problems.push(`${owner}: --host ${o.host} is not the pod ordinal ${ordinal}`);
  if (s.spec?.template.metadata?.labels?.["apb-group"] !== o.group) problems.push(`${owner}: label apb-group is not the worker's --group ${o.group}`);
  const grace = s.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
  if (grace * 1000 < o.drainMs + 10_000) problems.push(`${owner}: terminationGracePeriodSeconds ${grace} leaves no time to drain (--drain-ms ${o.drainMs} + 10 s)`);
  const addr = redisAddress(o.redis);
  const svc = ix.services.find((x) => x.metadata?.name === addr?.host);
  if (svc === undefined || !(svc.spec?.ports ?? []).some((p) => p.port === addr?.port)) problems.push(`${owner}: --redis points at ${addr?.host}:${addr?.port}, which is no Service port`);
  problems.push(...probeEnvProblems(owner, env, o));
  return { group: o.group, problems };
}

/** Worker StatefulSets (containers running `worker`): group shape, GPU, probes, flags per pod. */
export function workerProblems(objects: readonly K8sObject[], root: string): WorkerGroupCheck {
  const ix = indexOf(objects);
  const groups = new Map<string, number>();
  const problems: string[] = [];
  for (const s of ix.statefulSets) {
    const c = s.spec?.template.spec?.containers.find((x) => x.args?.[0] === "worker");
    if (c === undefined) continue;
    const name = `StatefulSet ${s.metadata?.name}`;
    if (s.spec?.podManagementPolicy !== "Parallel") problems.push(`${name}: podManagementPolicy must be Parallel (a group starts and stops together)`);
    if (String(c.resources?.limits?.["nvidia.com/gpu"]) !== "1") problems.push(`${name}: each host needs limits nvidia.com/gpu: 1`);
    if (c.resources?.requests?.cpu === undefined || c.resources.requests.memory === undefined) problems.push(`${name}: set cpu and memory requests`);
    for (const p of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      const script = p?.exec?.command?.find((x) => x.endsWith(".mjs"));
      if (script !== undefined && (script !== PROBE_SCRIPT || !existsSync(join(root, script)))) problems.push(`${name}: probe runs ${script}, not ${PROBE_SCRIPT}`);
    }
    for (let i = 0; i < (s.spec?.replicas ?? 1); i++) {
      const r = workerPodProblems(ix, s, c, i);
      problems.push(...r.problems);
      if (r.group !== undefined) groups.set(r.group, s.spec?.replicas ?? 1);
    }
  }
  return { groups, problems };
}

/** Every cross-reference check except the worker group's. */
export function referenceProblems(objects: readonly K8sObject[], namespace: string | undefined): string[] {
  const ix = indexOf(objects);
  const problems = [...serviceProblems(ix), ...statefulSetProblems(ix)];
  const ns = objects.map((o) => o.obj as unknown).filter(Namespace.is);
  if (namespace !== undefined && !ns.some((n) => n.metadata?.name === namespace)) problems.push(`kustomization namespace ${namespace} has no Namespace object`);
  for (const o of objects) {
    const meta = o.obj.metadata as { namespace?: string } | undefined;
    if (meta?.namespace !== undefined && meta.namespace !== namespace) problems.push(`${nameOf(o)}: namespace ${meta.namespace} differs from the kustomization's ${namespace}`);
  }
  for (const s of ix.statefulSets) {
    const pod = s.spec?.template.spec;
    if (pod === undefined) continue;
    const owner = `StatefulSet ${s.metadata?.name}`;
    const claims = new Set((s.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? ""));
    problems.push(...volumeProblems(ix, owner, pod, claims));
    for (const c of pod.containers) {
      const { env, problems: envProblems } = envOf(ix, owner, c, podFields(s.metadata?.name ?? "", 0));
      problems.push(...envProblems, ...argVarProblems(owner, c, env));
    }
  }
  return problems;
}
