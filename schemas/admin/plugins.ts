import { t, type Static } from 'elysia'

// GET /api/plugins: what each loaded plugin declares, for the dashboard's Plugins page. Only names,
// versions and declarations: nothing here comes from a channel, so no key or setting can leak.

/** One channel type a plugin serves. */
const PluginChannelType = t.Object({
  id: t.String(),
  label: t.String(),
  defaultBaseUrl: t.Union([t.String(), t.Null()]),
  nativeDialects: t.Array(t.String(), { description: 'Dialects the upstream accepts unchanged (calls in them pass through)' }),
  listsModels: t.Boolean({ description: "True when the type can list the upstream account's models" }),
})

/** One loaded plugin as the admin API shows it. */
export const PluginView = t.Object({
  id: t.String(),
  name: t.String(),
  version: t.Union([t.String(), t.Null()], {
    description:
      "The package.json version when loaded from a package, else the manifest's `version`, else the gateway's version for a built-in; null when none is known",
  }),
  versionSource: t.Union([t.Literal('package'), t.Literal('manifest'), t.Literal('gateway'), t.Null()], { description: 'Where `version` was read' }),
  package: t.Union([t.Object({ name: t.String(), version: t.Union([t.String(), t.Null()]) }), t.Null()], {
    description: 'The npm package the plugin was loaded from',
  }),
  specVersion: t.String({ description: 'The contract version the plugin declares' }),
  hubVersion: t.Union([t.Integer(), t.Null()], { description: 'The hub version its converters were written against' }),
  source: t.Union([t.Literal('built-in'), t.Literal('PLUGINS'), t.Literal('other')], {
    description: 'built-in: shipped in plugins/; PLUGINS: an entry of that setting; other: registered without the loader',
  }),
  entry: t.Union([t.String(), t.Null()], { description: "The PLUGINS entry as written, or the built-in's folder name" }),
  channelTypes: t.Array(PluginChannelType),
  dialects: t.Object({
    client: t.Array(t.String(), { description: 'Dialects clients call in (they declare routes)' }),
    upstream: t.Array(t.String(), { description: 'Upstream-only dialects (reached through the hub, no routes)' }),
  }),
  routes: t.Array(t.Object({ method: t.String(), path: t.String(), dialect: t.String() }), {
    description: 'Relay routes this plugin answers (after PLUGIN_ROUTE_OWNERS)',
  }),
  models: t.Integer({ description: 'Models the plugin knows' }),
  prices: t.Integer({ description: 'Price entries (exact model ids and `prefix*` families)' }),
  balanceReaders: t.Array(t.Object({ channelType: t.String(), id: t.String(), label: t.String() })),
  tokenizers: t.Array(
    t.Object({
      models: t.String({ description: 'A model id, or `prefix*` for a family' }),
      tokenizer: t.String({ description: 'o200k_base, cl100k_base, or custom (the plugin counts itself)' }),
    }),
    { description: "How the plugin's models are counted for estimates; empty means the gateway's default" },
  ),
})

/** Typed plugin view. */
export type PluginView = Static<typeof PluginView>
