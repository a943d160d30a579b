import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/** What a report folder may hold besides the files being written: names an earlier run wrote. */
export interface WriteFolderOptions {
  readonly formerFiles?: readonly string[];
}

/** Files a file browser drops into any folder it shows: replaced with the report, never refused. */
const BROWSER_METADATA = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** Times another run may take the folder between our move-aside and our rename before we give up. */
const SWAP_ATTEMPTS = 5;

/**
 * Writes `files` as the whole content of `folder`, all or nothing: they are written to a fresh
 * staging folder beside it, then swapped in by rename. The old folder (only ever a previous
 * report: anything else in it is refused) is moved aside first and removed once the new one is in
 * place, so no file of an older run survives (a groups.csv of a run with --groups), a failure
 * part-way leaves the old report whole, and two runs racing for one folder leave one complete
 * report, never a mix or nothing.
 */
export async function writeFilesAtomically(
  folder: string,
  files: Readonly<Record<string, string>>,
  options: WriteFolderOptions = {},
): Promise<void> {
  if (folder.trim() === '') throw new InputError('--out', 'an empty folder name');
  const allowed = new Set([
    ...Object.keys(files),
    ...(options.formerFiles ?? []),
    ...BROWSER_METADATA,
  ]);
  // A symlinked report folder is replaced where it points, not turned into a folder.
  const target = await realpath(resolve(folder)).catch(() => resolve(folder));
  await refuseForeignContent(folder, target, allowed);
  const createdParent = await mkdir(dirname(target), { recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new InputError(folder, `cannot create its parent folder (${codeOf(error)})`);
    },
  );
  let staging: string | undefined;
  const asides: string[] = [];
  try {
    staging = await mkdtemp(join(dirname(target), `.${basename(target)}.whopays-`));
    // mkdtemp makes a private (0700) folder; the report folder gets the usual permissions.
    await chmod(staging, 0o777 & ~process.umask());
    for (const [name, text] of Object.entries(files)) await writeFile(join(staging, name), text);
    for (let attempt = 1; ; attempt++) {
      // rename() replaces a missing or empty folder in one step; a full one answers ENOTEMPTY.
      const taken = await rename(staging, target).then(
        () => false,
        (error: NodeJS.ErrnoException) => {
          if (!['ENOTEMPTY', 'EEXIST'].includes(error.code ?? '') || attempt === SWAP_ATTEMPTS)
            throw error;
          return true;
        },
      );
      if (!taken) break;
      await refuseForeignContent(folder, target, allowed);
      const aside = `${staging}.old-${attempt}`;
      // ENOENT: another run moved it aside first; the next rename decides.
      await rename(target, aside).then(
        () => asides.push(aside),
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        },
      );
    }
    staging = undefined;
  } catch (error) {
    await restore(target, asides);
    if (createdParent !== undefined) await removeEmptyFolders(dirname(target), createdParent);
    if (error instanceof InputError) throw error;
    throw new InputError(folder, `cannot write the report (${codeOf(error)})`);
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
  for (const aside of asides) await rm(aside, { recursive: true, force: true });
}

const codeOf = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? String((error as Error).message ?? error);

/**
 * Refuses a folder that holds anything but report files: --out replaces the whole folder, and a
 * user's own files (`--out .`, `--out ~/Documents`) must never go with it.
 */
async function refuseForeignContent(
  folder: string,
  target: string,
  allowed: ReadonlySet<string>,
): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isDirectory()) throw new InputError(folder, 'exists and is not a folder');
  const entries = await readdir(target, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      // Moved aside by another run between the two calls: nothing of it is left to keep.
      if (error.code === 'ENOENT') return [];
      throw new InputError(folder, `cannot read the folder (${codeOf(error)})`);
    },
  );
  const foreign = entries.filter((e) => !(e.isFile() && allowed.has(e.name))).map((e) => e.name);
  if (foreign.length === 0) return;
  const more = foreign.length > 1 ? ` and ${foreign.length - 1} more` : '';
  throw new InputError(
    folder,
    `holds ${JSON.stringify(foreign.sort()[0])}${more}, not part of a whopays report; --out replaces the whole folder: give a new or empty one`,
  );
}

/** Puts the old report back when the new one could not take its place. */
async function restore(target: string, asides: readonly string[]): Promise<void> {
  const last = asides.at(-1);
  if (last === undefined) return;
  await rename(last, target).catch(() => undefined);
}

/** Removes the parent folders this run created, innermost first, if nothing else went into them. */
async function removeEmptyFolders(innermost: string, outermost: string): Promise<void> {
  for (let folder = innermost; folder.startsWith(outermost); folder = dirname(folder)) {
    if (
      !(await rmdir(folder).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (folder === outermost) return;
  }
}
