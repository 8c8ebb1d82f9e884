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
