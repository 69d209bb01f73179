// Public names of the view concept: the self-contained HTML view of a graph and its layout.
export { forceLayout } from "./force-layout.js";
export type { LayoutOptions } from "./force-layout.js";
export { inlineJson, renderHtml, viewData } from "./render-html.js";
