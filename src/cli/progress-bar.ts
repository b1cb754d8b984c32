/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per
 * update (at most one per `minIntervalMs`) otherwise, so logs and tests can
 * follow it too. Shows done/total, the percentage and the rate.
 */
export type Output = { write(text: string): unknown; isTTY?: boolean };

export type ProgressBar = {
  update(done: number, note?: string): void;
  finish(note?: string): void;
  /** Ends the bar where it is (a failure or an interruption): no 100% drawn. */
  stop(): void;
};

const BAR_WIDTH = 30;
const format = (n: number) => Math.round(n).toLocaleString("en-GB");

export function progressBar(
  out: Output,
  label: string,
  total: number,
  unit: string,
  minIntervalMs = 1000,
): ProgressBar {
  const started = performance.now();
  let lastDrawn = -Infinity;
  let lastLine = "";

  const line = (done: number, note: string | undefined) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
    return `${label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${format(done)}/${format(total)} ${unit} ${format(rate)} ${unit}/s${note ? ` ${note}` : ""}`;
  };

  const draw = (done: number, note: string | undefined, force: boolean) => {
    const now = performance.now();
    if (!force && now - lastDrawn < minIntervalMs) return;
    lastDrawn = now;
    lastLine = line(done, note);
    out.write(out.isTTY ? `\r\x1b[2K${lastLine}` : `${lastLine}\n`);
  };

  return {
    update: (done, note) => draw(done, note, false),
    finish(note) {
      const text = line(total, note);
      if (out.isTTY) out.write(`\r\x1b[2K${text}\n`);
      else if (text !== lastLine) out.write(`${text}\n`);
    },
    stop() {
      if (out.isTTY && lastLine !== "") out.write("\n");
    },
  };
}
