import type { ClientDialect, PluginDefinition } from '@hanggent/plugin-sdk'
import { PluginLoadError } from './validate-plugin.ts'

/** One relay route the core mounts, with the dialect (and plugin) that answers it. */
export interface OwnedRoute {
  /** HTTP method. */
  method: 'GET' | 'POST'
  /** Path in Elysia syntax, as the owning dialect declared it. */
  path: string
  /** The dialect that answers it. */
  codec: ClientDialect
  /** The plugin that brought the dialect. */
  pluginId: string
}

/** The operator's choice of owner for contested routes: `"POST /v1/chat/completions"` → plugin id (PLUGIN_ROUTE_OWNERS). */
export type RouteOwners = Record<string, string>

/** A route's identity for clash detection: the method and the path with parameter names blanked (`/v1/x/:a` is `/v1/x/:b`). */
export function routeKey(method: string, path: string): string {
  const shape = path.replace(/:[^/]+/g, ':').replace(/\/+$/, '')
  return `${method.toUpperCase()} ${shape === '' ? '/' : shape}`
}

/** `POST /v1/chat/completions` split into its method and path. */
function splitRoute(route: string): { method: string; path: string } {
  const [method = '', path = ''] = route.trim().split(/\s+/, 2)
  return { method, path }
}

/** Every route declared by a client-facing dialect, grouped by route key, in load order. */
function collectClaims(plugins: readonly PluginDefinition[]): Map<string, OwnedRoute[]> {
  const claims = new Map<string, OwnedRoute[]>()
  for (const plugin of plugins) {
    for (const codec of plugin.dialects) {
      if (!('routes' in codec)) continue
      for (const route of codec.routes) {
        const key = routeKey(route.method, route.path)
        const list = claims.get(key) ?? []
        list.push({ method: route.method, path: route.path, codec, pluginId: plugin.id })
        claims.set(key, list)
      }
    }
  }
  return claims
}

/** What the core answers itself at a route no plugin may declare (admin API, docs, health, billing, OpenAI's model list), or undefined. */
export function coreRoute(method: string, path: string): string | undefined {
  if (/^\/(api|swagger)(\/|$)/.test(path)) return 'the admin API and its documentation'
  if (/^\/(health|ready|favicon\.ico)$/.test(path)) return 'health checks and the dashboard'
  if (/^\/dashboard\/billing(\/|$)/.test(path)) return 'the OpenAI-style billing routes'
  if (method.toUpperCase() === 'GET' && /^\/v1\/models(\/:[^/]+)?\/?$/.test(path)) return 'the model list'
  return undefined
}

/** Who declares a route, for messages: `plugin "openai" (dialect openai.chat)`. */
function describe(claimants: readonly OwnedRoute[]): string {
  return claimants.map((claim) => `plugin "${claim.pluginId}" (dialect ${claim.codec.dialect})`).join(' and ')
}

/** Checks that each operator choice names a declared route and a plugin that declares it. */
function checkChoices(claims: Map<string, OwnedRoute[]>, owners: RouteOwners): Map<string, string> {
  const chosen = new Map<string, string>()
  for (const [route, pluginId] of Object.entries(owners)) {
    const { method, path } = splitRoute(route)
    const key = routeKey(method, path)
    const claimants = claims.get(key)
    if (!claimants) throw new PluginLoadError(`PLUGIN_ROUTE_OWNERS: no loaded plugin declares the route "${route}"`)
    if (!claimants.some((claim) => claim.pluginId === pluginId)) {
      throw new PluginLoadError(
        `PLUGIN_ROUTE_OWNERS: "${route}=${pluginId}" names plugin "${pluginId}", which does not declare that route (it is declared by ${describe(claimants)})`,
      )
    }
    chosen.set(key, pluginId)
  }
  return chosen
}

/**
 * The route table: each declared route with its one owner. A route declared by two plugins stops
 * start-up naming both, unless the operator chose its owner (PLUGIN_ROUTE_OWNERS); the other plugin
 * stays loaded (its channel types and upstream side still work), it just does not answer that route.
 */
export function resolveRoutes(plugins: readonly PluginDefinition[], owners: RouteOwners = {}): OwnedRoute[] {
  const claims = collectClaims(plugins)
  const chosen = checkChoices(claims, owners)
  const table: OwnedRoute[] = []
  for (const [key, claimants] of claims) {
    const reserved = coreRoute(claimants[0]!.method, claimants[0]!.path)
    if (reserved) {
      throw new PluginLoadError(
        `Route ${claimants[0]!.method} ${claimants[0]!.path} is declared by ${describe(claimants)}, but the gateway answers it itself (${reserved}); a plugin cannot take it over`,
      )
    }
    const owner = chosen.get(key)
    const candidates = owner === undefined ? claimants : claimants.filter((claim) => claim.pluginId === owner)
    const first = candidates[0]!
    if (candidates.length > 1) {
      const route = `${first.method} ${first.path}`
      if (candidates.every((claim) => claim.pluginId === first.pluginId)) {
        throw new PluginLoadError(
          `Plugin "${first.pluginId}": route ${route} is declared by more than one of its dialects (${candidates.map((claim) => claim.codec.dialect).join(', ')})`,
        )
      }
      throw new PluginLoadError(
        `Route ${route} is declared by ${describe(candidates)}. Choose its owner with PLUGIN_ROUTE_OWNERS="${route}=<plugin id>" (e.g. "${route}=${candidates.at(-1)!.pluginId}"), or remove one of the plugins from PLUGINS`,
      )
    }
    table.push(first)
  }
  return table
}
