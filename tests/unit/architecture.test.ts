import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = normalize(join(__dirname, '../../src'));

/** Every .ts/.tsx file under `dir` with the relative modules it imports or re-exports (type-only ones too). */
function importGraph(dir: string, graph = new Map<string, string[]>()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) importGraph(path, graph);
    else if (/\.tsx?$/.test(entry.name)) {
      const text = readFileSync(path, 'utf8');
      const deps = [...text.matchAll(/(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => normalize(join(dirname(path), m[1])));
      graph.set(path, deps);
    }
  }
  return graph;
}

/** One import cycle, as the chain of files (relative to src/), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | null => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    if (state.has(file)) continue;
    const found = visit(file);
    if (found) return found.map((f) => f.slice(SRC.length + 1));
  }
  return null;
}

describe('module structure', () => {
  it('has no import cycle (type-only imports count: they tie the layers together all the same)', () => {
    expect(findCycle(importGraph(SRC))).toBeNull();
  });

  it('the cycle check finds a cycle when there is one', () => {
    const graph = new Map([
      [join(SRC, 'a.ts'), [join(SRC, 'b.ts')]],
      [join(SRC, 'b.ts'), [join(SRC, 'c.ts')]],
      [join(SRC, 'c.ts'), [join(SRC, 'a.ts')]],
    ]);
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });
});
