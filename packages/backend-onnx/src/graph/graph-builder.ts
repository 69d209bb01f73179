// A small ONNX graph builder on onnx-proto: named inputs/outputs, ops with typed attributes, float weights as
// in-memory external data (so no model hits protobuf's 2 GB cap), and int64/float constants inline.

import onnxProto from "onnx-proto";
import { BackendError } from "@apb/core";

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type GraphProto = onnxProto.onnx.IGraphProto;

/** Element types a graph input or output can have here. */
export type ElemType = "float32" | "int64" | "bool";

/** A dimension: a fixed size or a symbolic name (dynamic at run time). */
export type Dim = number | string;

/** What a built graph needs to become a session: model bytes and its external weight file, held in memory. */
export interface BuiltGraph {
  readonly model: Uint8Array;
  readonly externalData: { path: string; data: Uint8Array }[];
}

/** Opsets every graph imports: ONNX 17 (reductions take axes as attributes for Max, as input for Sum) and contrib ops. */
const OPSETS = [
  { domain: "", version: 17 },
  { domain: "com.microsoft", version: 1 },
];
const WEIGHTS_FILE = "weights.bin";
const WEIGHT_ALIGN = 64; // bytes; keeps every weight cache-line aligned inside the blob

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

/** Integer attribute. */
export const attrInt = (name: string, i: number): AttributeProto => ({ name, type: AT.INT, i });
/** Float attribute. */
export const attrFloat = (name: string, f: number): AttributeProto => ({ name, type: AT.FLOAT, f });
/** Integer-list attribute. */
export const attrInts = (name: string, ints: readonly number[]): AttributeProto => ({ name, type: AT.INTS, ints: [...ints] });
/** Graph attribute (the body of Loop / If). */
export const attrGraph = (name: string, g: GraphProto): AttributeProto => ({ name, type: AT.GRAPH, g });

const ELEM: Record<ElemType, number> = { float32: DT.FLOAT, int64: DT.INT64, bool: DT.BOOL };

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/** Builds one graph. Value names are strings; `op` returns the name of its (first) output. */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly weights: { offset: number; data: Float32Array }[] = [];
  private weightBytes = 0;
  private counter = 0;

  /** A root graph, or with `parent` a subgraph (Loop body) whose value names stay unique across both scopes. */
  constructor(
    private readonly name: string,
    private readonly parent?: GraphBuilder,
  ) {}

  /** Declares a graph input. */
  input(name: string, dims: readonly Dim[], type: ElemType = "float32"): string {
    this.inputs.push(valueInfo(name, ELEM[type], dims));
    return name;
  }

  /** Declares value `value` as graph output `name` (adds an Identity when the names differ). */
  output(value: string, name: string, dims: readonly Dim[], type: ElemType = "float32"): void {
    if (value !== name) this.nodes.push(onnx.NodeProto.create({ opType: "Identity", input: [value], output: [name] }));
    this.outputs.push(valueInfo(name, ELEM[type], dims));
  }

  /** A value name not used anywhere in this graph or its parents. */
  fresh(prefix: string): string {
    if (this.parent !== undefined) return this.parent.fresh(prefix);
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** The GraphProto of a subgraph (no external weights: constants only). */
  graph(): GraphProto {
    if (this.weights.length > 0) throw new BackendError("BACKEND_FAILED", `subgraph ${this.name} cannot hold external weights`);
    return onnx.GraphProto.create({ name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers });
  }

  /** A float32 weight stored as external data; `data` is read once, at build(). */
  weight(name: string, data: Float32Array, dims: readonly number[]): string {
    const offset = Math.ceil(this.weightBytes / WEIGHT_ALIGN) * WEIGHT_ALIGN;
    this.weights.push({ offset, data });
    this.weightBytes = offset + data.byteLength;
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DT.FLOAT,
        dims: [...dims],
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: "location", value: WEIGHTS_FILE },
          { key: "offset", value: String(offset) },
          { key: "length", value: String(data.byteLength) },
        ],
      }),
    );
    return name;
  }

  /** An inline int64 constant (shapes, axes, split sizes). */
  ints(values: readonly number[]): string {
    const name = this.fresh("i64");
    this.initializers.push(onnx.TensorProto.create({ name, dataType: DT.INT64, dims: [values.length], int64Data: [...values] }));
    return name;
  }

  /** An inline int64 scalar constant (a Gather index that drops its axis). */
  intScalar(value: number): string {
    const name = this.fresh("i64s");
    this.initializers.push(onnx.TensorProto.create({ name, dataType: DT.INT64, dims: [], int64Data: [value] }));
    return name;
  }

  /** An inline float32 scalar constant. */
  scalar(value: number): string {
    const name = this.fresh("f32");
    this.initializers.push(onnx.TensorProto.create({ name, dataType: DT.FLOAT, dims: [], floatData: [value] }));
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], opts: { attrs?: AttributeProto[]; domain?: string } = {}): string {
    return this.opN(opType, inputs, { ...opts, numOutputs: 1 })[0]!;
  }

  /** Adds a node with `numOutputs` outputs and returns their names. */
  opN(opType: string, inputs: readonly string[], opts: { attrs?: AttributeProto[]; domain?: string; numOutputs: number }): string[] {
    const outputs = Array.from({ length: opts.numOutputs }, () => this.fresh(opType));
    this.nodes.push(
      onnx.NodeProto.create({ opType, domain: opts.domain ?? "", input: [...inputs], output: outputs, attribute: opts.attrs ?? [] }),
    );
    return outputs;
  }

  /** Encodes the model and packs the weights into one in-memory external file. */
  build(): BuiltGraph {
    const graph = onnx.GraphProto.create({ name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers });
    const model = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: "@apb/backend-onnx", opsetImport: OPSETS, graph })).finish();
    if (this.weights.length === 0) return { model, externalData: [] };
    const blob = new Uint8Array(this.weightBytes);
    for (const w of this.weights) blob.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), w.offset);
    return { model, externalData: [{ path: WEIGHTS_FILE, data: blob }] };
  }
}
