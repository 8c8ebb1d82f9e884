/** page and pageSize with their defaults applied, plus the row offset. */
export function pageOf(query: { page?: number; pageSize?: number }): { page: number; pageSize: number; offset: number } {
  const page = query.page ?? 1
  const pageSize = query.pageSize ?? 20
  return { page, pageSize, offset: (page - 1) * pageSize }
}

/** Escapes `%`, `_` and `\` so user text is matched literally inside an ILIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}
