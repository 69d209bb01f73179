// Public names of the facts concept: the fact-extraction recipe for the shipped model's fact task.
export { candidateEntities, factQuestion, formatTriple, parseTriples } from "./fact-recipe.js";
export type { EntityMention, Triple } from "./fact-recipe.js";
