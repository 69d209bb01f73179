// The graph as read back from a database: nodes with their mentions, edges with their sources, and the documents
// (the provenance every mention and source points to by document key).

export type DocumentStatus = "pending" | "done" | "failed";

/** A corpus document as the store tracks it (the text itself is not stored). */
export interface DocumentRef {
  readonly key: string;
  readonly path: string;
  readonly hash: string;
  readonly numChars: number;
}

export interface GraphMention {
  readonly doc: string;
  readonly start: number;
  readonly end: number;
  readonly kind: "name" | "object";
}

export interface GraphNode {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  /** `entity`: named in the text or the subject of a fact; `value`: only ever an object (a city, a year). */
  readonly kind: "entity" | "value";
  readonly mentions: readonly GraphMention[];
}

export interface GraphSource {
  readonly doc: string;
  readonly askedEntity: string;
  readonly subjectStart: number | null;
  readonly objectStart: number | null;
  readonly objectEnd: number | null;
}

export interface GraphEdge {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  readonly relation: string;
  readonly relationKey: string;
  readonly sources: readonly GraphSource[];
}

export interface GraphDocument {
  readonly key: string;
  readonly path: string;
  readonly hash: string;
  readonly status: DocumentStatus;
  readonly numChars: number;
  readonly numEntities: number;
  readonly numQuestions: number;
  readonly numTriples: number;
  readonly numPromptTokens: number;
  readonly numGeneratedTokens: number;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly updatedAt: string;
}

export interface GraphData {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly documents: readonly GraphDocument[];
}

/** What a run has to do after the corpus was registered. */
export interface RunPlan {
  /** Keys of pending and failed documents, in corpus order. */
  readonly toProcess: readonly string[];
  readonly numDone: number;
  readonly numNew: number;
  /** Finished documents whose text changed: their results were dropped and they run again. */
  readonly numChanged: number;
}

export interface StoreCounts {
  readonly documents: number;
  readonly done: number;
  readonly failed: number;
  readonly pending: number;
  readonly entities: number;
  readonly triples: number;
  readonly sources: number;
  readonly mentions: number;
}
