import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync as writeChunk } from 'node:fs';
import path from 'node:path';
import { createTempDir } from './temp-dir.js';

/** A real 1 MB tmpfs (the tests that use it run as root, as CI does), to fill while quotecast runs. */
export interface SmallDisk {
  readonly path: string;
  file(name: string): string;
  /** Writes zeros into `name` until the disk is full; removing the file gives the room back. */
  fill(name: string): string;
  unmount(): void;
}

export function mountSmallDisk(prefix: string): SmallDisk {
  const dir = createTempDir(prefix);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir.path]);
  const file = (name: string) => path.join(dir.path, name);
  return {
    path: dir.path,
    file,
    fill(name) {
      const fd = openSync(file(name), 'w');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) writeChunk(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return file(name);
    },
    unmount() {
      execFileSync('umount', [dir.path]);
      dir.remove();
    },
  };
}
