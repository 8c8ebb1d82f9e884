import { Elysia, t } from 'elysia'
import type { PluginDefinition } from '@hanggent/plugin-sdk'
import packageJson from '../../../package.json' with { type: 'json' }
import { PluginView } from '../../../schemas/admin/plugins.ts'
import { pluginOrigin, type PluginOrigin } from '../../plugin/plugin-origin.ts'
import { isClientDialect } from '../../plugin/registry.ts'
import type { OwnedRoute } from '../../plugin/route-ownership.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

/** The version to show: the package's, else the manifest's (`version`), else the gateway's for a built-in. */
function versionOf(plugin: PluginDefinition, origin: PluginOrigin | undefined, gatewayVersion: string): Pick<PluginView, 'version' | 'versionSource'> {
  if (origin?.package?.version) return { version: origin.package.version, versionSource: 'package' }
  if (typeof plugin.version === 'string' && plugin.version !== '') return { version: plugin.version, versionSource: 'manifest' }
  if (origin?.source === 'built-in') return { version: gatewayVersion, versionSource: 'gateway' }
  return { version: null, versionSource: null }
}

/** What one loaded plugin declares, with where it came from; pure given its origin and the mounted routes. */
export function describePlugin(plugin: PluginDefinition, origin: PluginOrigin | undefined, routes: readonly OwnedRoute[], gatewayVersion: string): PluginView {
  return {
    id: plugin.id,
    name: plugin.name,
    ...versionOf(plugin, origin, gatewayVersion),
    package: origin?.package ? { name: origin.package.name, version: origin.package.version ?? null } : null,
    specVersion: String(plugin.specVersion),
    hubVersion: plugin.hubVersion ?? null,
    source: origin?.source ?? 'other',
    entry: origin?.entry ?? null,
    channelTypes: plugin.channelTypes.map((spec) => ({
      id: spec.id,
      label: spec.label,
      defaultBaseUrl: spec.defaultBaseUrl ?? null,
      nativeDialects: [...spec.transport.nativeDialects],
      listsModels: spec.modelListing !== undefined,
    })),
    dialects: {
      client: plugin.dialects.filter(isClientDialect).map((codec) => codec.dialect),
      upstream: plugin.dialects.filter((codec) => !isClientDialect(codec)).map((codec) => codec.dialect),
    },
    routes: routes.filter((route) => route.pluginId === plugin.id).map((route) => ({ method: route.method, path: route.path, dialect: route.codec.dialect })),
    models: plugin.models.length,
    prices: Object.keys(plugin.pricing).length,
    balanceReaders: plugin.channelTypes.flatMap((spec) =>
      (spec.balanceReaders ?? []).map((reader) => ({ channelType: spec.id, id: reader.id, label: reader.label })),
    ),
    tokenizers: Object.entries(plugin.tokenizers ?? {}).map(([models, spec]) => ({ models, tokenizer: 'encoding' in spec ? spec.encoding : 'custom' })),
  }
}

/** The loaded plugins (admin only): versions, origin and what each declares, for the dashboard's Plugins page. */
export function pluginRoutes(deps: AdminDeps) {
  const { registry } = deps.context
  return new Elysia()
    .use(apiBase(deps))
    .get('/plugins', () => registry.plugins.map((plugin) => describePlugin(plugin, pluginOrigin(plugin), registry.routes(), packageJson.version)), {
      ...access('admin', {
        operationId: 'listPlugins',
        tags: ['plugins'],
        summary:
          'Loaded plugins: version, contract version, origin (built-in or PLUGINS), channel types, dialects, routes, models, balance readers and tokenizers',
      }),
      response: withErrors({ 200: t.Array(PluginView) }),
    })
}
