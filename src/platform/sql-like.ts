/** Escapes LIKE/ILIKE wildcards (and the escape character) so user text is matched literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
