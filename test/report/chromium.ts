import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { describe } from 'vitest';

/** The Chromium binary: $CHROMIUM, else `chromium` on PATH. */
export const CHROMIUM =
  process.env.CHROMIUM ??
  (spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim() || '');

/** `describe` for tests that need Chromium: skipped without it, except under CI, where they fail. */
export const describeChromium = CHROMIUM || process.env.CI ? describe : describe.skip;
if (!CHROMIUM && !process.env.CI)
  console.warn('test/report: no chromium on PATH; skipping the browser tests');

export function assertChromium(): void {
  if (!CHROMIUM) throw new Error('CI=true but no chromium on PATH (apt-get install chromium)');
}

/** What a page did while it loaded. */
export interface PageVisit {
  /** Console messages, exceptions and browser log entries (CSP violations, failed loads). */
  readonly console: string[];
  /** Every URL the page asked for, the page itself included. */
  readonly requests: string[];
  /** From navigation start to the end of the load event, as the page measured it. */
  readonly loadMs: number;
  /** From the navigation command to the load event, as this client saw it. */
  readonly wallMs: number;
  /** The first contentful paint, ms after navigation start. */
  readonly paintMs?: number;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/**
 * A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
 * NUL-terminated JSON on file descriptors 3 and 4), so nothing listens on a port.
 */
export class Browser {
  private readonly proc: ChildProcess;
  private readonly input: Writable;
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: Message) => void)[] = [];
  private readonly profile: string;
  private stderr = '';
  private exited = false;

  constructor(width = 1400, height = 2000) {
    this.profile = mkdtempSync(join(tmpdir(), 'campaign-chromium-'));
    this.proc = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--remote-debugging-pipe',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        '--mute-audio',
        `--user-data-dir=${this.profile}`,
        `--window-size=${width},${height}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    this.proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-8000);
    });
    this.input = this.proc.stdio[3] as Writable;
    const output = this.proc.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (d: string) => this.receive(d));
    this.proc.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values())
        p.reject(new Error(`chromium exited: ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\0');
      if (end < 0) break;
      const msg = JSON.parse(this.buffer.slice(0, end)) as Message;
      this.buffer = this.buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (p) msg.error ? p.reject(new Error(`${msg.error.message}`)) : p.resolve(msg);
      } else for (const l of [...this.listeners]) l(msg);
    }
  }

  /** Sends a command (to a page's session, if given) and waits for its answer, at most `ms`. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    ms = 30_000,
  ): Promise<Message> {
    if (this.exited) return Promise.reject(new Error(`chromium exited: ${this.stderr.slice(-2000)}`));
    const id = this.nextId++;
    const msg = { id, method, params, ...(sessionId ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method} in ${ms} ms`));
      }, ms);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.input.write(`${JSON.stringify(msg)}\0`);
    });
  }

  /** Waits for an event, at most `ms`. */
  event(method: string, sessionId: string | undefined, ms: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`no ${method} in ${ms} ms`));
      }, ms);
      const l = (m: Message) => {
        if (m.method !== method || (sessionId && m.sessionId !== sessionId)) return;
        clearTimeout(timer);
        remove();
        resolve(m);
      };
      const remove = () => {
        const i = this.listeners.indexOf(l);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      this.listeners.push(l);
    });
  }

  /** Opens `url` in a new page and waits for its load event; returns the page's session. */
  async open(url: string, ms = 60_000): Promise<{ session: string; visit: PageVisit }> {
    const { result: target } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { result: attached } = await this.send('Target.attachToTarget', {
      targetId: target!.targetId,
      flatten: true,
    });
    const session = attached!.sessionId as string;
    const consoleLines: string[] = [];
    const requests: string[] = [];
    this.listeners.push((m) => {
      if (m.sessionId !== session) return;
      const p = m.params ?? {};
      if (m.method === 'Runtime.consoleAPICalled') {
        const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
        consoleLines.push(`console.${p.type}: ${args.map((a) => a.value ?? a.description).join(' ')}`);
      } else if (m.method === 'Runtime.exceptionThrown') {
        consoleLines.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
      } else if (m.method === 'Log.entryAdded') {
        const e = p.entry as { level: string; source: string; text: string; url?: string };
        consoleLines.push(`log ${e.level} (${e.source}): ${e.text}${e.url ? ` ${e.url}` : ''}`);
      } else if (m.method === 'Network.requestWillBeSent') {
        requests.push((p.request as { url: string }).url);
      }
    });
    for (const domain of ['Page', 'Runtime', 'Log', 'Network'])
      await this.send(`${domain}.enable`, {}, session);
    const loaded = this.event('Page.loadEventFired', session, ms);
    const t = performance.now();
    await this.send('Page.navigate', { url }, session, ms);
    await loaded;
    const wallMs = performance.now() - t;
    const timing = JSON.parse(
      await this.evaluate(
        session,
        `JSON.stringify({ load: performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? -1, paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null })`,
      ),
    ) as { load: number; paint: number | null };
    return {
      session,
      visit: {
        console: consoleLines,
        requests,
        loadMs: timing.load,
        wallMs,
        ...(timing.paint !== null ? { paintMs: timing.paint } : {}),
      },
    };
  }

  /** Evaluates an expression in the page; its value as a string. */
  async evaluate(session: string, expression: string): Promise<string> {
    const { result } = await this.send(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      session,
      120_000,
    );
    const r = result as { result: { value?: unknown }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`evaluate ${expression}: ${JSON.stringify(r.exceptionDetails)}`);
    return String(r.result.value);
  }

  /** Where an element is on the page (CSS pixels from the top of the document). */
  async box(
    session: string,
    selector: string,
  ): Promise<{ x: number; y: number; width: number; height: number }> {
    return JSON.parse(
      await this.evaluate(
        session,
        `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return JSON.stringify({ x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }); })()`,
      ),
    );
  }

  /** A PNG of the page, or of a region of it (CSS pixels), written to `path`. */
  async screenshot(
    session: string,
    path: string,
    clip?: { x: number; y: number; width: number; height: number },
  ): Promise<void> {
    const { result } = await this.send(
      'Page.captureScreenshot',
      { format: 'png', ...(clip ? { clip: { ...clip, scale: 1 }, captureBeyondViewport: true } : {}) },
      session,
    );
    writeFileSync(path, Buffer.from(result!.data as string, 'base64'));
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((r) => this.proc.once('exit', r));
      try {
        await this.send('Browser.close', {}, undefined, 10_000);
      } catch {
        this.proc.kill('SIGKILL');
      }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (!this.exited) this.proc.kill('SIGKILL');
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
