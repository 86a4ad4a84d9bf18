/** The project root, found from this file whether it runs from src/ (tsx, vitest) or dist/src/ (built). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('Cannot find the project root (package.json)');
    directory = parent;
  }
  return directory;
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
