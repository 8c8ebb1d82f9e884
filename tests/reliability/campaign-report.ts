import { appendFileSync } from 'node:fs'

// The reliability suites run short in CI and long from `npm run chaos`; the script reads the figures
// each campaign appends here (one JSON line per campaign run) to print its table.

/** The figures of one campaign run, as the closing table reports them. */
export interface CampaignFigures {
  campaign: 'faults' | 'hostile' | 'access' | 'crash' | 'soak' | 'redis-kill'
  /** Probes (or fault cases) sent. */
  probes: number
  /** Probes whose outcome broke the campaign's rule (a 5xx, a data change, a client-visible failure while a healthy channel existed…). */
  failures: number
  /** Quota units charged that the logs do not account for, summed as absolute values. */
  moneyDiscrepancyUnits: number
  /** Lines for the report: one per case or finding. */
  rows: string[]
}

/** True when the long version was asked for (`npm run chaos`): more probes, bigger bombs, real-time drips. */
export const LONG_CAMPAIGN: boolean = process.env.CHAOS_LONG === '1'

/** Appends a campaign's figures to CHAOS_REPORT_FILE when the chaos script set it; does nothing in CI. */
export function reportCampaign(figures: CampaignFigures): void {
  const file = process.env.CHAOS_REPORT_FILE
  if (file) appendFileSync(file, `${JSON.stringify(figures)}\n`)
}

/** A backend a campaign runs on: embedded PGlite, or a PostgreSQL server (a fresh database of the campaign's own is made on it) with Redis. */
export interface CampaignBackend {
  name: string
  /** The PostgreSQL server's URL (TEST_DATABASE_URL); absent for PGlite. */
  databaseUrl?: string
  redisUrl?: string
}

/** PGlite always; PostgreSQL + Redis too when the test services run (TEST_DATABASE_URL and TEST_REDIS_URL). */
export const CAMPAIGN_BACKENDS: CampaignBackend[] = [
  { name: 'PGlite' },
  ...(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL
    ? [{ name: 'PostgreSQL + Redis', databaseUrl: process.env.TEST_DATABASE_URL, redisUrl: process.env.TEST_REDIS_URL }]
    : []),
]
