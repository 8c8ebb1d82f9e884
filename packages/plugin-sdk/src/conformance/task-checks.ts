// The conformance kit's checks of task platforms (contract 1.2, `PluginDefinition.tasks`): what the core
// relies on without calling an upstream. Routes must be mountable and tell a task by `:id`, prices must
// bill something sane, and errors must keep their HTTP status (a 404 for another user's task must stay a
// 404 in the platform's shape, so task ids cannot be probed).
import type { PluginDefinition } from '../contract.ts'
import { GatewayError } from '../errors.ts'
import type { TaskPlatform, TaskPrice, TaskPriceAmount } from '../task-contract.ts'

const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/

/** Problems of one price amount, named by where it sits. */
function amountFailures(where: string, amount: TaskPriceAmount): string[] {
  const failures: string[] = []
  for (const member of ['perCall', 'perSecond'] as const) {
    const value = amount[member]
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) failures.push(`${where}.${member} must be a finite number ≥ 0 (got ${String(value)})`)
  }
  if (amount.perCall === undefined && amount.perSecond === undefined)
    failures.push(`${where} sets no price (perCall or perSecond); write perCall: 0 for a free action`)
  return failures
}

/** Problems of one declared TaskPrice, its mode and resolution replacements included. */
function priceFailures(where: string, price: TaskPrice): string[] {
  const failures: string[] = []
  const replacements = [...Object.entries(price.byMode ?? {}), ...Object.entries(price.byResolution ?? {})]
  if (price.perCall !== undefined || price.perSecond !== undefined || replacements.length === 0) failures.push(...amountFailures(where, price))
  for (const [name, amount] of Object.entries(price.byMode ?? {})) failures.push(...amountFailures(`${where}.byMode["${name}"]`, amount))
  for (const [name, amount] of Object.entries(price.byResolution ?? {})) failures.push(...amountFailures(`${where}.byResolution["${name}"]`, amount))
  if (price.defaultSeconds !== undefined && !(Number.isFinite(price.defaultSeconds) && price.defaultSeconds > 0))
    failures.push(`${where}.defaultSeconds must be a number > 0`)
  return failures
}

/** Problems of a platform's routes: duplicates, and reads that cannot name a task. */
function routeFailures(platform: TaskPlatform): string[] {
  const where = `tasks["${platform.id}"]`
  const failures: string[] = []
  if (!platform.routes.some((route) => route.kind === 'submit')) failures.push(`${where}: declares no submit route`)
  const seen = new Set<string>()
  for (const route of platform.routes) {
    const key = `${route.method} ${route.path}`
    if (seen.has(key)) failures.push(`${where}: route ${key} is declared twice`)
    seen.add(key)
    if (!route.path.startsWith('/')) failures.push(`${where}: route ${key} must start with /`)
    const byId = route.kind === 'fetch' || route.kind === 'content' || route.kind === 'upstream-read'
    if (byId && !route.path.includes(':id')) failures.push(`${where}: ${route.kind} route ${key} has no :id parameter for the gateway's task id`)
  }
  return failures
}

/** Problems of the platform's error rendering: each rendered status must be the error's own. */
function errorFailures(platform: TaskPlatform): string[] {
  const failures: string[] = []
  for (const error of [new GatewayError(400, 'invalid_request', 'bad input'), new GatewayError(404, 'not_found', 'no such task')]) {
    try {
      const rendered = platform.renderError(error)
      if (rendered.status !== error.status) failures.push(`tasks["${platform.id}"].renderError: a ${error.status} became ${rendered.status}`)
      if (rendered.body === undefined || rendered.body === null) failures.push(`tasks["${platform.id}"].renderError: a ${error.status} has no body`)
    } catch (thrown) {
      failures.push(`tasks["${platform.id}"].renderError threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`)
    }
  }
  return failures
}

/** Everything the kit can check of a plugin's task platforms without an upstream; empty when it has none. */
export function taskPlatformFailures(plugin: PluginDefinition): string[] {
  const failures: string[] = []
  const ids = new Set<string>()
  for (const platform of plugin.tasks ?? []) {
    const where = `tasks["${platform.id}"]`
    if (!ID_PATTERN.test(platform.id)) failures.push(`${where}: id must be a short lowercase word`)
    if (ids.has(platform.id)) failures.push(`${where}: declared twice`)
    ids.add(platform.id)
    if (platform.channelTypes.length === 0) failures.push(`${where}: serves no channel types`)
    failures.push(...routeFailures(platform))
    for (const [key, price] of Object.entries(platform.prices)) failures.push(...priceFailures(`${where}.prices["${key}"]`, price))
    failures.push(...errorFailures(platform))
    if (platform.polling.batchSize < 1 || !Number.isInteger(platform.polling.batchSize)) failures.push(`${where}.polling.batchSize must be a whole number ≥ 1`)
  }
  return failures
}
