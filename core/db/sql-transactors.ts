import type { PGlite } from '@electric-sql/pglite'
import type { Sql } from 'postgres'
import type { SqlSession, SqlTransactor } from '../jobs/batch-sql.ts'

// The two ways a group commit reaches a database without drizzle: PGlite's own transaction API (used
// inside the PGlite thread) and a postgres.js connection. Both load CSV with COPY.

const copyStatement = (table: string, columns: string[], source: string) =>
  `copy "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) from ${source} with (format csv)`

/** Transactions on a PGlite instance in this thread. */
export function pgliteTransactor(pg: PGlite): SqlTransactor {
  return {
    transaction: (run) =>
      pg.transaction((tx) =>
        run({
          query: async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows,
          async copyCsv(table, columns, csv) {
            await tx.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) })
          },
        } satisfies SqlSession),
      ),
  }
}

/** Transactions on a postgres.js pool. */
export function postgresTransactor(sql: Sql): SqlTransactor {
  return {
    transaction: async (run) =>
      (await sql.begin((tx) =>
        run({
          query: async (text, params) => (await tx.unsafe(text, params as never[])) as unknown as Array<Record<string, unknown>>,
          async copyCsv(table, columns, csv) {
            const writable = await tx.unsafe(copyStatement(table, columns, 'stdin')).writable()
            await new Promise<void>((resolve, reject) => {
              writable.on('error', reject)
              writable.end(csv, () => resolve())
            })
          },
        } satisfies SqlSession),
      )) as Awaited<ReturnType<typeof run>>,
  }
}
