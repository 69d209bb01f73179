// What extracting one document yields: entity mentions and triples in key space, each with provenance (UTF-16
// offsets into the document text), plus what it cost. The store writes exactly this in one transaction.

/**
 * Which parsed triples are kept: `none` all; `subject` those about the asked entity; `object` those whose object also
 * occurs in the text; `sentence` those whose subject and object occur in one sentence (drops facts the model copied
 * from a neighbour, and also facts stated through a pronoun).
 */
export const VERIFY_LEVELS = ["none", "subject", "object", "sentence"] as const;
export type VerifyLevel = (typeof VERIFY_LEVELS)[number];

/** An entity occurrence: a candidate name (`name`) or a triple's object found in the text (`object`). */
export interface MentionRecord {
  readonly key: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly kind: "name" | "object";
}

/** One fact with the entity it was asked about and where its subject and object occur (undefined: not in the text). */
export interface TripleRecord {
  readonly subject: string;
  readonly subjectKey: string;
  readonly relation: string;
  readonly relationKey: string;
  readonly object: string;
  readonly objectKey: string;
  /** The candidate entity whose question produced this triple. */
  readonly askedEntity: string;
  readonly subjectStart: number | undefined;
  readonly objectStart: number | undefined;
  readonly objectEnd: number | undefined;
}

export interface DocumentExtraction {
  readonly mentions: readonly MentionRecord[];
  readonly triples: readonly TripleRecord[];
  readonly numEntities: number;
  readonly numQuestions: number;
  /** Parsed triple lines that verification dropped. */
  readonly numDropped: number;
  readonly numPromptTokens: number;
  readonly numGeneratedTokens: number;
}
