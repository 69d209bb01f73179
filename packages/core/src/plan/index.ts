// Public names of the plan concept.
export { anchorIds, defaultApbLengths, planGroup } from "./planner.js";
export type { GroupPlan, HostPlan, PassingMode, PlanInput, PlanOptions, Selection, Strategy } from "./types.js";
