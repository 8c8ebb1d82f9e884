import type { Db } from '../db/client.ts'
import { applyPlan, importLogs, lastImportedLogId } from './import-apply.ts'
import { planImport, type NotCarried, type TableSummary } from './import-plan.ts'
import type { SourceFlavour } from './channel-type-map.ts'
import type { SourceDatabase, SourceKind } from './source-database.ts'

/** What an import needs from the gateway: its database, its key box and the channel types it has loaded. */
export interface ImportTarget {
  db: Db
  /** Seals channel keys as the gateway stores them (AES-256-GCM with CRYPTO_SECRET). */
  seal(plaintext: string): string
  /** Opens a channel's sealed key list; undefined when it cannot (another secret). */
  open(sealed: string): string
  /** Channel type ids this gateway has loaded. */
  channelTypes: ReadonlySet<string>
}

/** Options of one run. */
export interface ImportRun {
  /** Write; without it the run only reports what it would do. */
  apply: boolean
  /** Also copy usage logs. */
  withLogs: boolean
  /** Log rows per read and per transaction (default 1000). */
  logBatchSize?: number
}

/** What a run found and did. */
export interface ImportReport {
  flavour: SourceFlavour
  kind: SourceKind
  applied: boolean
  tables: TableSummary[]
  notCarried: NotCarried[]
  warnings: string[]
  /** True when the run found nothing to add (a repeated run). */
  nothingToDo: boolean
}

/** Plans an import from `source` and, with `apply`, writes it. */
export async function runImport(source: SourceDatabase, target: ImportTarget, run: ImportRun): Promise<ImportReport> {
  const openKeys = (sealed: string): string[] | undefined => {
    try {
      const keys: unknown = JSON.parse(target.open(sealed))
      return Array.isArray(keys) ? keys.map(String) : undefined
    } catch {
      return undefined
    }
  }
  const plan = await planImport(source, target.db, openKeys, target.channelTypes)
  const tables = [...plan.summaries]
  if (run.withLogs) {
    const after = await lastImportedLogId(target.db)
    const hasLogs = (await source.tables()).has('logs')
    const pending = hasLogs ? await source.countAfter('logs', after) : 0
    const total = hasLogs ? await source.countAfter('logs') : 0
    tables.push({ table: 'logs', inSource: total, toAdd: pending, present: total - pending, notCarried: 0 })
  }
  if (run.apply) {
    await applyPlan(plan, target.db, target.seal)
    if (run.withLogs) await importLogs(plan, source, target.db, openKeys, run.logBatchSize ?? 1000)
  }
  return {
    flavour: plan.flavour,
    kind: source.kind,
    applied: run.apply,
    tables,
    notCarried: plan.notCarried,
    warnings: plan.warnings,
    nothingToDo: tables.every((table) => table.toAdd === 0),
  }
}

/** The report as text for the terminal: a table of counts, what cannot be carried over, warnings. */
export function formatImportReport(report: ImportReport): string {
  const lines = [`${report.applied ? 'Imported' : 'Dry run (nothing written; add --apply to write)'}: ${report.flavour} database on ${report.kind}`, '']
  const header = ['table', 'in source', report.applied ? 'added' : 'to add', 'already here', 'cannot carry']
  const rows = report.tables.map((table) => [table.table, table.inSource, table.toAdd, table.present, table.notCarried].map(String))
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  for (const row of [header, ...rows])
    lines.push(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '))
  if (report.nothingToDo) lines.push('', 'Nothing to add: everything in the source is already here.')
  if (report.notCarried.length > 0) {
    lines.push('', 'Cannot be carried over:')
    const grouped = new Map<string, string[]>()
    for (const entry of report.notCarried) {
      const key = `${entry.table}: ${entry.reason}`
      grouped.set(key, [...(grouped.get(key) ?? []), ...(entry.label ? [entry.label] : [])])
    }
    for (const [reason, labels] of grouped)
      lines.push(`  - ${reason}${labels.length > 0 ? ` (${labels.length}: ${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', …' : ''})` : ''}`)
  }
  if (report.warnings.length > 0) lines.push('', 'Notes:', ...report.warnings.map((warning) => `  - ${warning}`))
  return lines.join('\n')
}
