import { Database as SqliteDatabase } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import postgres from 'postgres'

/** One row of a One API / New API table, as the driver returned it (numbers may arrive as strings or bigints). */
export type SourceRow = Record<string, unknown>

/** Which engine a source database runs on. */
export type SourceKind = 'sqlite' | 'mysql' | 'postgres'

/** Read-only access to a One API or New API database, whatever its engine. */
export interface SourceDatabase {
  /** The engine, shown in the report. */
  readonly kind: SourceKind
  /** Names of the tables the database has. */
  tables(): Promise<Set<string>>
  /** Names of a table's columns (empty when the table is missing). */
  columns(table: string): Promise<Set<string>>
  /** Every row of a small table, in id order when it has an `id` column. */
  all(table: string): Promise<SourceRow[]>
  /** Up to `limit` rows with `id` above `afterId`, in id order: large tables (logs) are read in batches. */
  page(table: string, afterId: number, limit: number): Promise<SourceRow[]>
  /** How many rows a table has (only those with `id` above `afterId` when given). */
  countAfter(table: string, afterId?: number): Promise<number>
  /** Releases the connection. */
  close(): Promise<void>
}

/**
 * Turns Go's MySQL DSN (`user:pass@tcp(host:port)/db?…`, the form One API's SQL_DSN takes) into a URL;
 * anything else is returned unchanged.
 */
export function normaliseSourceUrl(from: string): string {
  // The password may hold '@': Go's parser splits at the last '@' before the protocol, as does this pattern.
  const dsn = /^([^:@/]+)(?::(.*))?@tcp\(([^)]+)\)\/([^?]*)/.exec(from)
  if (!dsn) return from
  const [, user, password, host, database] = dsn
  const auth = password === undefined ? encodeURIComponent(user!) : `${encodeURIComponent(user!)}:${encodeURIComponent(password)}`
  return `mysql://${auth}@${host}/${database}`
}

/** The engine a `--from` value names: a URL scheme, or an existing file for SQLite. */
export function sourceKindOf(from: string): SourceKind {
  const url = normaliseSourceUrl(from)
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql'
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres'
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new Error(`--from: unsupported URL scheme in "${url.split('://')[0]}://…" (use a SQLite file path, mysql://… or postgres://…)`)
  if (!existsSync(from)) throw new Error(`--from: no SQLite file at ${from}`)
  return 'sqlite'
}

/** Opens the source database `from` names, read-only where the engine allows it. */
export async function openSourceDatabase(from: string): Promise<SourceDatabase> {
  const kind = sourceKindOf(from)
  if (kind === 'sqlite') return openSqlite(from)
  if (kind === 'mysql') return openMysql(normaliseSourceUrl(from).replace(/^mariadb:/i, 'mysql:'))
  return openPostgres(from)
}

function openSqlite(path: string): SourceDatabase {
  const database = new SqliteDatabase(path, { readonly: true })
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`
  const columns = async (table: string) =>
    new Set(
      database
        .query<{ name: string }, []>(`pragma table_info(${quote(table)})`)
        .all()
        .map((row) => row.name),
    )
  return {
    kind: 'sqlite',
    tables: async () =>
      new Set(
        database
          .query<{ name: string }, []>(`select name from sqlite_master where type = 'table'`)
          .all()
          .map((row) => row.name),
      ),
    columns,
    async all(table) {
      const order = (await columns(table)).has('id') ? ' order by id' : ''
      return database.query<SourceRow, []>(`select * from ${quote(table)}${order}`).all()
    },
    page: async (table, afterId, limit) =>
      database.query<SourceRow, [number, number]>(`select * from ${quote(table)} where id > ? order by id limit ?`).all(afterId, limit),
    countAfter: async (table, afterId) =>
      Number(
        database
          .query<{ n: number }, number[]>(`select count(*) as n from ${quote(table)}${afterId === undefined ? '' : ' where id > ?'}`)
          .get(...(afterId === undefined ? [] : [afterId]))?.n ?? 0,
      ),
    async close() {
      database.close()
    },
  }
}

function openMysql(url: string): SourceDatabase {
  const sql = new Bun.SQL(url, { max: 1 })
  const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``
  const columns = async (table: string) => {
    const rows: Array<{ name: string }> = await sql.unsafe(
      'select column_name as name from information_schema.columns where table_schema = database() and table_name = ?',
      [table],
    )
    return new Set(rows.map((row) => row.name))
  }
  return {
    kind: 'mysql',
    async tables() {
      const rows: Array<{ name: string }> = await sql.unsafe('select table_name as name from information_schema.tables where table_schema = database()')
      return new Set(rows.map((row) => row.name))
    },
    columns,
    async all(table) {
      const order = (await columns(table)).has('id') ? ' order by id' : ''
      return [...((await sql.unsafe(`select * from ${quote(table)}${order}`)) as SourceRow[])]
    },
    page: async (table, afterId, limit) => [
      ...((await sql.unsafe(`select * from ${quote(table)} where id > ? order by id limit ?`, [afterId, limit])) as SourceRow[]),
    ],
    async countAfter(table, afterId) {
      const rows: Array<{ n: unknown }> = await sql.unsafe(
        `select count(*) as n from ${quote(table)}${afterId === undefined ? '' : ' where id > ?'}`,
        afterId === undefined ? [] : [afterId],
      )
      return Number(rows[0]?.n ?? 0)
    },
    close: () => sql.close(),
  }
}

function openPostgres(url: string): SourceDatabase {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`
  const columns = async (table: string) => {
    const rows = await sql<
      Array<{ name: string }>
    >`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`
    return new Set(rows.map((row) => row.name))
  }
  return {
    kind: 'postgres',
    async tables() {
      const rows = await sql<Array<{ name: string }>>`select table_name as name from information_schema.tables where table_schema = current_schema()`
      return new Set(rows.map((row) => row.name))
    },
    columns,
    async all(table) {
      const order = (await columns(table)).has('id') ? ' order by id' : ''
      return [...(await sql.unsafe<SourceRow[]>(`select * from ${quote(table)}${order}`))]
    },
    page: async (table, afterId, limit) => [
      ...(await sql.unsafe<SourceRow[]>(`select * from ${quote(table)} where id > $1 order by id limit $2`, [afterId, limit])),
    ],
    async countAfter(table, afterId) {
      const rows = await sql.unsafe<Array<{ n: unknown }>>(
        `select count(*) as n from ${quote(table)}${afterId === undefined ? '' : ' where id > $1'}`,
        afterId === undefined ? [] : [afterId],
      )
      return Number(rows[0]?.n ?? 0)
    },
    close: () => sql.end(),
  }
}
