#!/usr/bin/env bun
// `hanggent-plugin check <plugin folder or file> [--no-gateway] [--gateway <gateway folder>]`: runs the
// conformance kit and exits 1 when the plugin fails it (2 on a usage error).
import { conformance, formatReport } from '../src/conformance/index.ts'

const USAGE = 'usage: hanggent-plugin check <plugin folder or file> [--no-gateway] [--gateway <gateway folder>]'

/** The command line read into the kit's options, or a usage error. */
export function parseArguments(argv: string[]): { path: string; gateway: boolean; gatewayRoot?: string } | { error: string } {
  const [command, ...rest] = argv
  if (command !== 'check') return { error: USAGE }
  let path: string | undefined
  let gateway = true
  let gatewayRoot: string | undefined
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index]!
    if (argument === '--no-gateway') gateway = false
    else if (argument === '--gateway') {
      gatewayRoot = rest[++index]
      if (!gatewayRoot) return { error: `--gateway needs a folder\n${USAGE}` }
    } else if (argument.startsWith('-') || path !== undefined) return { error: `unexpected argument "${argument}"\n${USAGE}` }
    else path = argument
  }
  if (!path) return { error: USAGE }
  return { path, gateway, ...(gatewayRoot ? { gatewayRoot } : {}) }
}

if (import.meta.main) {
  const parsed = parseArguments(process.argv.slice(2))
  if ('error' in parsed) {
    console.error(parsed.error)
    process.exit(2)
  }
  const report = await conformance(parsed.path, { gateway: parsed.gateway, ...(parsed.gatewayRoot ? { gatewayRoot: parsed.gatewayRoot } : {}) })
  console.log(formatReport(report))
  process.exit(report.failures.length === 0 ? 0 : 1)
}
