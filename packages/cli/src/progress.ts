import cliProgress from 'cli-progress';

export interface ProgressUpdate {
  step: number;
  tokens: number;
  fvu: number;
  l0: number;
  deadFraction: number;
}

/** Tokens per second over the last few seconds of updates (per-step timings are noisy). */
export class RateMeter {
  readonly #samples: { t: number; tokens: number }[] = [];

  constructor(readonly windowMs = 3000) {}

  update(tokens: number, now = performance.now()): number {
    const s = this.#samples;
    s.push({ t: now, tokens });
    while (s.length > 2 && now - s[1].t > this.windowMs) s.shift();
    const first = s[0];
    return now > first.t ? ((tokens - first.tokens) * 1000) / (now - first.t) : Number.NaN;
  }
}

/** Where training progress goes: a live bar on a terminal, log lines otherwise. */
export interface ProgressDisplay {
  update(u: ProgressUpdate): void;
  /** Prints a message without tearing the bar. */
  log(message: string): void;
  stop(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatRate(tokensPerSecond: number): string {
  if (!Number.isFinite(tokensPerSecond)) return '?';
  if (tokensPerSecond >= 1e6) return `${(tokensPerSecond / 1e6).toFixed(2)}M`;
  if (tokensPerSecond >= 1e3) return `${(tokensPerSecond / 1e3).toFixed(1)}k`;
  return tokensPerSecond.toFixed(0);
}

/** The numbers a live bar shows after the step count. */
const BAR_FIELDS = '{rate} tok/s | FVU {fvu} | L0 {l0} | dead {dead}%';
const BAR_OPTIONS = { stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5 } as const;
const NO_NUMBERS = { rate: '-', fvu: '-', l0: '-', dead: '-' };

function barNumbers(rate: RateMeter, u: ProgressUpdate) {
  return {
    rate: formatRate(rate.update(u.tokens)),
    fvu: u.fvu.toFixed(4),
    l0: u.l0.toFixed(1),
    dead: (u.deadFraction * 100).toFixed(1),
  };
}

/** A live bar (cli-progress) on stderr: step, tokens/s, FVU, L0, dead %, ETA. */
class BarDisplay implements ProgressDisplay {
  readonly #bar: cliProgress.SingleBar;
  readonly #rate = new RateMeter();

  constructor(totalSteps: number, startStep: number, startTokens: number) {
    this.#rate.update(startTokens);
    this.#bar = new cliProgress.SingleBar(
      { ...BAR_OPTIONS, format: `{bar} {value}/{total} | ${BAR_FIELDS} | ETA {eta_formatted}` },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(totalSteps, startStep, NO_NUMBERS);
  }

  update(u: ProgressUpdate): void {
    this.#bar.update(u.step, barNumbers(this.#rate, u));
  }

  log(message: string): void {
    // cli-progress redraws on the next update; clear the line so the message stands alone.
    process.stderr.write(`\r\x1b[2K${message}\n`);
  }

  stop(): void {
    this.#bar.stop();
  }
}

/** Plain lines on stderr every `everySteps` steps (and on the last), for logs and CI. */
class LineDisplay implements ProgressDisplay {
  readonly #started = Date.now();
  readonly #rate = new RateMeter(0);
  readonly #startStep: number;

  constructor(
    readonly totalSteps: number,
    startStep: number,
    startTokens: number,
    readonly everySteps: number,
    /** Put before each line: a sweep member's name. */
    readonly label = '',
  ) {
    this.#startStep = startStep;
    this.#rate.update(startTokens);
  }

  update(u: ProgressUpdate): void {
    // Every step feeds the meter; with a 0 ms window it measures since the previous line.
    if (u.step % this.everySteps !== 0 && u.step !== this.totalSteps) return;
    const rate = this.#rate.update(u.tokens);
    const elapsed = (Date.now() - this.#started) / 1000;
    const done = u.step - this.#startStep;
    const eta = done > 0 ? (elapsed / done) * (this.totalSteps - u.step) : Number.NaN;
    process.stderr.write(
      `${this.label}step ${u.step}/${this.totalSteps}  tokens ${u.tokens}  fvu ${u.fvu.toFixed(4)}  ` +
        `l0 ${u.l0.toFixed(1)}  dead ${(u.deadFraction * 100).toFixed(1)}%  ` +
        `${formatRate(rate)} tok/s  eta ${formatDuration(eta)}\n`,
    );
  }

  log(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  stop(): void {}
}

export function createProgressDisplay(options: {
  totalSteps: number;
  startStep: number;
  startTokens: number;
  logEvery: number;
  /** Force plain lines even on a terminal (--no-progress). */
  plain?: boolean;
}): ProgressDisplay {
  return process.stderr.isTTY && !options.plain
    ? new BarDisplay(options.totalSteps, options.startStep, options.startTokens)
    : new LineDisplay(options.totalSteps, options.startStep, options.startTokens, options.logEvery);
}

/** Progress of a sweep: one line per member. */
export interface SweepDisplay {
  update(member: number, u: ProgressUpdate): void;
  log(message: string): void;
  stop(): void;
}

/** One live bar per member (cli-progress's MultiBar), each led by the member's name. */
class SweepBars implements SweepDisplay {
  readonly #bars: cliProgress.MultiBar;
  readonly #members: { bar: cliProgress.SingleBar; rate: RateMeter }[];

  constructor(
    names: readonly string[],
    totalSteps: number,
    startStep: number,
    startTokens: number,
  ) {
    const width = Math.max(...names.map((n) => n.length));
    this.#bars = new cliProgress.MultiBar(
      {
        ...BAR_OPTIONS,
        format: `{name} {bar} {value}/{total} | ${BAR_FIELDS}`,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#members = names.map((name) => {
      const rate = new RateMeter();
      rate.update(startTokens);
      const bar = this.#bars.create(totalSteps, startStep, {
        name: name.padEnd(width),
        ...NO_NUMBERS,
      });
      return { bar, rate };
    });
  }

  update(member: number, u: ProgressUpdate): void {
    const m = this.#members[member];
    m.bar.update(u.step, barNumbers(m.rate, u));
  }

  log(message: string): void {
    this.#bars.log(`${message}\n`);
  }

  stop(): void {
    this.#bars.stop();
  }
}

/** Plain lines, each led by its member's name, every `logEvery` steps. */
class SweepLines implements SweepDisplay {
  readonly #lines: LineDisplay[];

  constructor(names: readonly string[], o: Omit<SweepDisplayOptions, 'names' | 'plain'>) {
    const width = Math.max(...names.map((n) => n.length));
    this.#lines = names.map(
      (name) =>
        new LineDisplay(
          o.totalSteps,
          o.startStep,
          o.startTokens,
          o.logEvery,
          `${name.padEnd(width)}  `,
        ),
    );
  }

  update(member: number, u: ProgressUpdate): void {
    this.#lines[member].update(u);
  }

  log(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  stop(): void {}
}

export interface SweepDisplayOptions {
  readonly names: readonly string[];
  readonly totalSteps: number;
  readonly startStep: number;
  readonly startTokens: number;
  readonly logEvery: number;
  readonly plain?: boolean;
}

export function createSweepDisplay(o: SweepDisplayOptions): SweepDisplay {
  return process.stderr.isTTY && !o.plain
    ? new SweepBars(o.names, o.totalSteps, o.startStep, o.startTokens)
    : new SweepLines(o.names, o);
}
