#!/usr/bin/env node
// Layout gate (STYLE.md G1, G13): kebab-case file names, an index.ts in every src/<concept>/, a purpose comment atop each file.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "apps"];
const problems = [];
const kebab = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*\.(ts|mts|cts|js|mjs)$/;

function walk(dir, visit) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, visit);
    else visit(p, name);
  }
}

for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const pkg of readdirSync(root)) {
    const src = join(root, pkg, "src");
    if (!existsSync(src)) continue;
    const langchainLayout = pkg === "langchain"; // G1 exception: LangChain provider layout
    for (const concept of readdirSync(src)) {
      const p = join(src, concept);
      if (statSync(p).isDirectory() && !langchainLayout && concept !== "tests" && !existsSync(join(p, "index.ts"))) {
        problems.push(`${p}: a concept folder needs an index.ts barrel`);
      }
    }
    walk(src, (file, name) => {
      if (!/\.(ts|mts|js|mjs)$/.test(name)) return;
      if (!langchainLayout && !kebab.test(name)) problems.push(`${file}: file names are kebab-case`);
      const head = readFileSync(file, "utf8").split("\n", 3).join("\n");
      if (!/^(#!.*\n)?\s*(\/\/|\/\*)/.test(head)) problems.push(`${file}: start with a one-to-three-line purpose comment`);
    });
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`check-layout: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log("check-layout: ok");
