import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest directory at or above `from` with a package.json, .beadflow/ or .git; else `from`. */
export function findProjectDir(from: string = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (['package.json', '.beadflow', '.git'].some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}
