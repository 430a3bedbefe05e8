/**
 * Files a backup or a restore writes must be on the disk, not in the page cache, before it says it is done: a
 * power cut right after "backup written" must not leave a manifest describing files that never reached the disk.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** fsync of a file or a folder (a folder's fsync makes the names created or renamed in it durable). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs the folder. */
export function writeFileDurably(path: string, text: string, mode: number): void {
  const temp = `${path}.partial`;
  writeFileSync(temp, text, { mode });
  fsyncPath(temp);
  renameSync(temp, path);
  fsyncPath(dirname(path));
}
