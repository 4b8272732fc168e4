// `node bench/lib/profile-summary.mjs <file.cpuprofile> [top] [filter]`, run from the repository the profile
// was taken in: the functions with the most self time and the most total time (self + callees, each
// function counted once per stack) in a V8 CPU profile from `node --cpu-prof`, and the time by source file:
// each sample goes to the innermost frame from the repository's src/ or bench/ (libraries and built-ins
// count for the file that called them).
import { readFileSync } from "node:fs";

const [file, topArg = "25", filter = ""] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
/** a script's path relative to the repository it ran from (the cwd), if it is there */
const relative = (url) => url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${relative(url)}:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"} ${where}`.trim();
};
const self = new Map();
const total = new Map();
let all = 0;
for (const [id, us] of dt) {
  all += us;
  const node = nodes.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = label(nodes.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + us);
  }
}
const byFile = new Map();
for (const [id, us] of dt) {
  let file;
  for (let at = id; at !== undefined && file === undefined; at = parent.get(at)) {
    const path = relative(nodes.get(at).callFrame.url);
    if (/^(src|bench)\//.test(path)) file = path;
  }
  const key = file ?? (["(idle)", "(garbage collector)", "(program)"].includes(label(nodes.get(id))) ? label(nodes.get(id)) : "(other: node, libraries)");
  byFile.set(key, (byFile.get(key) ?? 0) + us);
}
const top = Number(topArg);
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].filter(([name]) => name.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / all).toFixed(1).padStart(5)} %  ${name}`);
  }
};
console.log(`${file}: ${(all / 1000).toFixed(0)} ms sampled`);
show("self time", self);
show("total time", total);
show("by source file (with the libraries it calls)", byFile);
