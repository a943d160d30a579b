import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/**
 * Writes every file into `folder` all or nothing: the files are written to a staging folder next
 * to it first, then moved into place (a missing folder is created by one rename). On any error
 * the staging folder, and any parent folder created for it, are removed.
 */
export async function writeFilesAtomically(
  folder: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  const target = resolve(folder);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new InputError(folder, 'exists and is not a folder');
  const createdParent = await mkdir(dirname(target), { recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new InputError(
        folder,
        `cannot create its parent folder (${error.code ?? error.message})`,
      );
    },
  );
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.whopays-`));
  try {
    // mkdtemp makes a private (0700) folder; the report folder gets the usual permissions.
    await chmod(staging, 0o777 & ~process.umask());
    for (const [name, text] of Object.entries(files)) await writeFile(join(staging, name), text);
    if (existing) {
      for (const name of Object.keys(files)) await rename(join(staging, name), join(target, name));
    } else {
      await rename(staging, target);
    }
  } catch (error) {
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(folder, `cannot write the report (${code ?? String(error)})`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
