/** The entries of `next` that differ from `initial`, so a PATCH carries only what the user changed. */
export function changedFields<T extends Record<string, unknown>>(initial: T, next: T): Partial<T> {
  const changes: Partial<T> = {};
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (next[key] !== initial[key]) changes[key] = next[key];
  }
  return changes;
}
