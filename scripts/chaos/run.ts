// npm run chaos -- --campaign hostile|faults|access|crash|soak|redis-kill [--campaign …] [--runs N] [--minutes N] [--short]
// Runs the long version of the reliability campaigns (issue 14) and prints the closing table: campaign,
// runs, probes, failures, units of money discrepancy, and the command that reproduces the row. Each run is
// the campaign's own test file with CHAOS_LONG=1 (bigger bombs, real-time drips, 50 MB streams), reporting
// its figures through CHAOS_REPORT_FILE (tests/reliability/campaign-report.ts); --short runs the CI version
// with the same report. Exits 1 when any run
// failed or found a discrepancy. Another campaign is one more entry in `campaigns`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The test file behind each campaign. */
const campaigns: Record<string, string> = {
  faults: 'tests/reliability/upstream-faults.test.ts',
  hostile: 'tests/reliability/hostile-input.test.ts',
  access: 'tests/reliability/access-control.test.ts',
  crash: 'tests/reliability/crash-replicas.test.ts',
  soak: 'tests/reliability/soak.test.ts',
  'redis-kill': 'tests/reliability/redis-kill.test.ts',
}

interface Figures {
  campaign: string
  probes: number
  failures: number
  moneyDiscrepancyUnits: number
  rows: string[]
}

/** The campaigns and run count asked for on the command line (every campaign once by default). */
export function parseArguments(argv: string[]): { names: string[]; runs: number; short: boolean; minutes?: number } {
  const names: string[] = []
  let runs = 1
  let minutes: number | undefined
  let short = false
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]
    const value = argument?.includes('=') ? argument.slice(argument.indexOf('=') + 1) : argv[index + 1]
    if (argument?.startsWith('--campaign')) {
      if (!argument.includes('=')) index++
      for (const name of (value ?? '').split(/[|,]/)) {
        if (!campaigns[name]) throw new Error(`unknown campaign "${name}"; known: ${Object.keys(campaigns).join(', ')}`)
        names.push(name)
      }
    } else if (argument === '--short') short = true
    else if (argument?.startsWith('--runs')) {
      if (!argument.includes('=')) index++
      runs = Number(value)
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got "${value}"`)
    } else if (argument?.startsWith('--minutes')) {
      // How long the soak campaign's load lasts (CHAOS_MINUTES; 10 by default).
      if (!argument.includes('=')) index++
      minutes = Number(value)
      if (!(minutes > 0)) throw new Error(`--minutes: expected a positive number, got "${value}"`)
    } else throw new Error(`unknown argument "${argument}"`)
  }
  return { names: names.length > 0 ? names : Object.keys(campaigns), runs, short, minutes }
}

/** Runs one campaign file once; answers its figures (a crashed run counts as one failure with no probes). */
function runOnce(name: string, file: string, reportFile: string, short: boolean): Figures {
  rmSync(reportFile, { force: true })
  const result = Bun.spawnSync(['bun', 'test', '--timeout', '900000', file], {
    env: { ...process.env, CHAOS_LONG: short ? '0' : '1', CHAOS_REPORT_FILE: reportFile },
    stdout: 'inherit',
    stderr: 'inherit',
  })
  let figures: Figures[] = []
  try {
    figures = readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Figures)
  } catch {
    // no report: the run died before its figures were written
  }
  const total: Figures = { campaign: name, probes: 0, failures: 0, moneyDiscrepancyUnits: 0, rows: [] }
  for (const entry of figures) {
    total.probes += entry.probes
    total.failures += entry.failures
    total.moneyDiscrepancyUnits += entry.moneyDiscrepancyUnits
    total.rows.push(...entry.rows)
  }
  if (result.exitCode !== 0 && total.failures === 0) total.failures = 1
  return total
}

if (import.meta.main) {
  const { names, runs, short, minutes } = parseArguments(process.argv.slice(2))
  if (minutes !== undefined) process.env.CHAOS_MINUTES = String(minutes)
  const directory = mkdtempSync(join(tmpdir(), 'chaos-'))
  const table: string[] = ['| campaign | runs | probes | failures | money discrepancy (units) | command |', '|---|---|---|---|---|---|']
  const details: string[] = []
  let bad = false
  for (const name of names) {
    const file = campaigns[name] as string
    const sum = { probes: 0, failures: 0, money: 0 }
    for (let run = 1; run <= runs; run++) {
      const figures = runOnce(name, file, join(directory, `${name}-${run}.jsonl`), short)
      sum.probes += figures.probes
      sum.failures += figures.failures
      sum.money += figures.moneyDiscrepancyUnits
      if (run === 1) details.push(`### ${name}`, ...figures.rows)
    }
    bad ||= sum.failures > 0 || sum.money !== 0
    table.push(
      `| ${name} | ${runs} | ${sum.probes} | ${sum.failures} | ${sum.money} | \`npm run chaos -- --campaign ${name}${runs > 1 ? ` --runs ${runs}` : ''}${minutes !== undefined ? ` --minutes ${minutes}` : ''}${short ? ' --short' : ''}\` |`,
    )
  }
  rmSync(directory, { recursive: true, force: true })
  console.log(['', ...details, '', ...table].join('\n'))
  process.exit(bad ? 1 : 0)
}
