/**
 * The bench in headless Chromium: builds the app if dist/ is stale, serves it
 * with `vite preview` (which sends the COOP/COEP headers that give ORT its
 * threads), opens bench.html, relays its progress and waits for
 * window.__benchResult, sampling the memory of the whole Chromium process tree
 * (/proc VmRSS summed over the browser and all its descendants every 200 ms, Pss
 * every 2 s), and the page's JS heap over CDP.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findSubtreeRoots, treeMemory } from './proc-tree.ts';
import { round, type BenchResult } from './report.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHROMIUM = process.env.HEIRLOOM_CHROMIUM ?? '/usr/bin/chromium';

/** How often the memory sampler also reads Pss (see the sampler). */
const PSS_EVERY = 10;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserBenchOptions {
  megapixels: number;
  backend: 'wasm' | 'webgpu';
  stages: 'auto' | string[];
  model?: string;
  seed?: number;
  warmupSide?: number;
  /** WASM threads instead of the app's choice. */
  threads?: number;
  /** Rebuild dist/ when it is missing or older than the sources (default true). */
  build?: boolean;
  timeoutMs?: number;
  sampleMs?: number;
  log?(line: string): void;
}

/** Newest modification time under the given paths (files or folders, recursively). */
function newestMtime(paths: string[]): { mtime: number; file: string } {
  let best = { mtime: 0, file: '' };
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules' && !name.startsWith('.')) visit(join(p, name));
    } else if (st.mtimeMs > best.mtime) best = { mtime: st.mtimeMs, file: p };
  };
  paths.forEach(visit);
  return best;
}

/** Runs `npx vite build` when dist/bench.html is missing or older than any source. */
export async function ensureBuild(log: (line: string) => void): Promise<void> {
  const target = join(ROOT, 'dist', 'bench.html');
  const sources = ['src', 'public', 'bench.html', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(ROOT, p));
  const newest = newestMtime(sources);
  const built = existsSync(target) ? statSync(target).mtimeMs : 0;
  if (built >= newest.mtime) {
    log('dist/ is up to date');
    return;
  }
  log(built ? `dist/ is older than ${newest.file.slice(ROOT.length)}: npx vite build` : 'dist/bench.html missing: npx vite build');
  const t0 = performance.now();
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line.trim()) tail.push(line);
      tail.splice(0, Math.max(0, tail.length - 40));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const useful = tail.filter((l) => !/^\s+at /.test(l) && !/npm warn/.test(l));
    throw new Error(`vite build failed (exit ${code}):\n${useful.slice(-12).join('\n')}`);
  }
  if (!existsSync(target)) throw new Error('vite build did not produce dist/bench.html: is bench.html in vite.config.ts build inputs?');
  log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `vite preview` of dist/ on a free port (the project config: COOP/COEP headers). */
export async function startPreview(): Promise<{ url: string; close(): Promise<void> }> {
  const { preview } = await import('vite');
  const port = await freePort();
  const server = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

export async function runBrowserBench(opts: BrowserBenchOptions): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const wall0 = performance.now();
  const timeoutMs = opts.timeoutMs ?? 600_000;
  if (opts.build !== false) await ensureBuild(log);
  else if (!existsSync(join(ROOT, 'dist', 'bench.html'))) throw new Error('dist/bench.html is missing (run without --no-build)');

  const server = await startPreview();
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const args = [...CHROMIUM_ARGS, ...(opts.backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])];
    // Playwright's launch gives Chromium a fresh temporary --user-data-dir of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
    const roots = findSubtreeRoots(process.pid, /chrom/i);
    if (roots.length === 0) throw new Error('could not find the Chromium process under this process');
    log(`chromium ${browser.version()} pid ${roots.join(',')} (${args.join(' ')})`);

    const mem = { peakRss: 0, peakPss: 0, peakHeap: 0, samples: 0, processes: 0 };
    // Reading Pss (smaps_rollup) makes the kernel walk every mapping of every process; read every time,
    // it took enough of two cores to slow the models measurably (docs/speed.md). VmRSS is cheap and read
    // every time; Pss every PSS_EVERY-th time and at the end.
    const sample = (withPss = mem.samples % PSS_EVERY === 0) => {
      let rss = 0, pss = 0, processes = 0;
      for (const r of roots) {
        const m = treeMemory(r, withPss);
        rss += m.rssBytes;
        pss += m.pssBytes;
        processes += m.processes;
      }
      mem.peakRss = Math.max(mem.peakRss, rss);
      mem.peakPss = Math.max(mem.peakPss, pss);
      mem.processes = Math.max(mem.processes, processes);
      mem.samples++;
    };
    sample();
    timer = setInterval(sample, opts.sampleMs ?? 200);

    const page: Page = await browser.newPage();
    let crashed = false;
    page.on('crash', () => (crashed = true));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log(`HTTP ${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`console ${m.type()}: ${m.text().slice(0, 300)}`);
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    const q = new URLSearchParams({ mp: String(opts.megapixels), backend: opts.backend, stages: opts.stages === 'auto' ? 'auto' : opts.stages.join(',') });
    if (opts.model) q.set('model', opts.model);
    if (opts.seed !== undefined) q.set('seed', String(opts.seed));
    if (opts.warmupSide !== undefined) q.set('warmup', String(opts.warmupSide));
    if (opts.threads !== undefined) q.set('threads', String(opts.threads));
    const url = `${server.url}bench.html?${q}`;
    log(`open ${url}`);
    await page.goto(url);

    const deadline = Date.now() + timeoutMs;
    let result: Record<string, unknown> | undefined;
    for (;;) {
      if (crashed) throw new Error('the bench page crashed (out of memory?)');
      const state = await page
        .evaluate(() => ({ lines: (window.__benchLog ?? []).splice(0), result: window.__benchResult, error: window.__benchError }))
        .catch((e: Error) => {
          if (crashed) return undefined;
          throw e;
        });
      if (state) {
        for (const line of state.lines) log(`  page ${line}`);
        if (state.error) throw new Error(`bench page failed: ${state.error}`);
        if (state.result) {
          result = state.result as Record<string, unknown>;
          break;
        }
      }
      try {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
        mem.peakHeap = Math.max(mem.peakHeap, heap);
      } catch {
        // the page is busy or gone; the next round tells
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    clearInterval(timer);
    sample(true);

    const peakRssMB = round(mem.peakRss / 2 ** 20, 1);
    return {
      ...(result as unknown as BenchResult),
      peakRssMB,
      memory: {
        peakRssMB,
        peakPssMB: round(mem.peakPss / 2 ** 20, 1),
        peakPageJsHeapMB: round(mem.peakHeap / 2 ** 20, 1),
        sampler: `sum of /proc VmRSS over the Chromium process tree (up to ${mem.processes} processes) every ${opts.sampleMs ?? 200} ms, Pss every ${PSS_EVERY}th time`,
        samples: mem.samples,
      },
      wallMs: round(performance.now() - wall0, 1),
      env: { ...((result as { env?: object }).env ?? {}), chromium: browser.version(), chromiumArgs: args, node: process.version },
    };
  } finally {
    if (timer) clearInterval(timer);
    await browser?.close().catch(() => {});
    await server.close().catch(() => {});
  }
}
