import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { renderCommentBody } from '../markdown.js';

/*
 * Renders imported comment bodies (`renderCommentBody('html', …)`: wpautop and the sanitizer) on a
 * worker thread, while the main thread goes on parsing the file and writing the batch before. The
 * sanitizer is the importer's largest cost: about 85 µs a comment, 8.5 s of the 100,000 comments
 * of `npm run bench:import`, where parsing the whole file takes 3.6 s (2-core VM).
 *
 * Should the thread fail to start or die, bodies are rendered on the main thread instead: slower,
 * the same HTML.
 */
export class CommentRenderer {
  private worker: Worker | null;
  private next = 0;
  private waiting = new Map<number, Waiter & { sources: string[] }>();

  constructor() {
    this.worker = startWorker();
    this.worker?.on('message', ({ id, html, error }: { id: number; html?: string[]; error?: string }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      // A batch the thread could not render is rendered here, which throws the error, if any, again.
      if (waiter) settle(waiter, () => (error === undefined ? html! : renderHere(waiter.sources)));
      // An idle thread does not keep the process alive; one with work does.
      if (this.waiting.size === 0) this.worker?.unref();
    });
    this.worker?.on('error', () => this.fallBack());
    this.worker?.on('exit', () => this.fallBack());
    this.worker?.unref();
  }

  /** Whether bodies are rendered on the thread (false once it failed). */
  get threaded(): boolean {
    return this.worker !== null;
  }

  /** The sanitized HTML of each source, in order (rejects only if rendering fails on this thread too). */
  render(sources: string[]): Promise<string[]> {
    if (!this.worker) return Promise.resolve(renderHere(sources));
    const id = this.next++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { sources, resolve, reject });
      this.worker!.postMessage({ id, sources });
    });
  }

  async close() {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** The thread is gone: what it was given is rendered here. */
  private fallBack() {
    this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiting) settle(waiter, () => renderHere(waiter.sources));
  }
}

/**
 * The thread holds one batch at a time (a few hundred KB): small heap limits make it collect often
 * instead of growing (100,000 comments: +55 MB of RSS without them). Should a batch ever need more,
 * the thread dies and the main thread renders (fallBack).
 */
const resourceLimits = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 };

type Waiter = { resolve: (html: string[]) => void; reject: (error: Error) => void };
/** Resolves a waiter with `html()`, or rejects it with what that threw (never throws in a listener). */
function settle(waiter: Waiter, html: () => string[]) {
  try {
    waiter.resolve(html());
  } catch (error) {
    waiter.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

const renderHere = (sources: string[]) => sources.map((source) => renderCommentBody('html', source));

/** The worker, from the compiled `render-worker.js`, or from its TypeScript source through tsx (`npm run`, tests). */
function startWorker(): Worker | null {
  try {
    if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./render-worker.js', import.meta.url), { resourceLimits });
    // A worker does not inherit the TypeScript loader's hooks: it registers them (tsx's ESM API).
    const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./render-worker.ts', import.meta.url).href;
    return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, resourceLimits });
  } catch {
    return null;
  }
}
