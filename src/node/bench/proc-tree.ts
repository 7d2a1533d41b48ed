/**
 * Memory of a process tree on Linux, from /proc: the sum of VmRSS (what `ps`
 * shows; pages shared between processes are counted once per process) and of
 * Pss (shared pages split between the processes that map them) over a root
 * process and all its descendants.
 */
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every live pid with its parent. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid !== undefined) table.set(pid, ppid);
  }
  return table;
}

/** The root and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of processTable()) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Descendants of `ancestor` whose command name matches, and whose parent does not (the tops of matching subtrees). */
export function findSubtreeRoots(ancestor: number, comm: RegExp): number[] {
  const table = processTable();
  return processTree(ancestor).filter((pid) => pid !== ancestor && comm.test(commOf(pid)) && !comm.test(commOf(table.get(pid) ?? 0)));
}

function kbField(text: string, field: string): number {
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

export interface TreeMemory {
  rssBytes: number;
  pssBytes: number;
  processes: number;
}

/** Sum of VmRSS and Pss over a root's tree (processes that exit while being read are skipped). */
export function treeMemory(root: number, withPss = true): TreeMemory {
  let rss = 0, pss = 0, processes = 0;
  for (const pid of processTree(root)) {
    try {
      rss += kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS') * 1024;
      if (withPss) pss += kbField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') * 1024;
      processes++;
    } catch {
      // gone
    }
  }
  return { rssBytes: rss, pssBytes: pss, processes };
}
