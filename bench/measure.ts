import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_DIR } from './generators/dataset.js';

export interface Measurement {
  readonly seconds: number;
  /** Peak resident set size of the process tree's largest process, from /usr/bin/time -v. */
  readonly peakRssMb: number | undefined;
  /** User + system CPU seconds: steadier than wall time when other work shares the machine. */
  readonly cpuSeconds: number | undefined;
  readonly exitCode: number;
  readonly stderr: string;
}

export const TIME = '/usr/bin/time';

/** Whether GNU time (Debian package `time`) is here; without it peak memory is not measured. */
export const hasGnuTime = (): boolean =>
  existsSync(TIME) && spawnSync(TIME, ['-v', 'true'], { encoding: 'utf8' }).status === 0;

/**
 * Runs one command to completion, stdout into `stdoutFile` (or discarded), and measures its wall
 * time and peak RSS. Runs `repeat` times and keeps the fastest run (the machine may be shared).
 */
export const measure = async (
  command: string,
  args: readonly string[],
  options: { stdoutFile?: string; repeat?: number } = {},
): Promise<Measurement> => {
  let best: Measurement | undefined;
  for (let n = 0; n < (options.repeat ?? 1); n++) {
    const run = await measureOnce(command, args, options.stdoutFile);
    if (run.exitCode !== 0) return run;
    if (!best || run.seconds < best.seconds) best = run;
  }
  return best!;
};

const measureOnce = async (
  command: string,
  args: readonly string[],
  stdoutFile: string | undefined,
): Promise<Measurement> => {
  const timeFile = join(DATA_DIR, `.time-${process.pid}.txt`);
  const gnuTime = hasGnuTime();
  const [program, programArgs] = gnuTime
    ? [TIME, ['-v', '-o', timeFile, command, ...args]]
    : [command, [...args]];
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const started = performance.now();
  const { exitCode, stderr } = await new Promise<{ exitCode: number; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, programArgs, { stdio: ['ignore', out, 'pipe'] });
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1, stderr: err }));
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (typeof out === 'number') closeSync(out);
  let peakRssMb: number | undefined;
  let cpuSeconds: number | undefined;
  if (gnuTime) {
    const report = await readFile(timeFile, 'utf8').catch(() => '');
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
    peakRssMb = kb ? Number(kb) / 1024 : undefined;
    const user = /User time \(seconds\): ([\d.]+)/.exec(report)?.[1];
    const system = /System time \(seconds\): ([\d.]+)/.exec(report)?.[1];
    cpuSeconds = user && system ? Number(user) + Number(system) : undefined;
    await rm(timeFile, { force: true });
  }
  return { seconds, peakRssMb, cpuSeconds, exitCode, stderr };
};
