import {
  createModelLookup,
  isClientOnlyDialect,
  type ChannelTypeSpec,
  type ClientDialect,
  type ClientDialectCodec,
  type DialectCodec,
  type ModelPrice,
  type ModelSpec,
  type PluginDefinition,
  type TaskPrice,
  type TokenizerSpec,
  type UpstreamDialectCodec,
  type UpstreamDialect,
} from '@hanggent/plugin-sdk'
import { PluginLoadError } from './validate-plugin.ts'
import { resolveRoutes, type OwnedRoute, type RouteOwners } from './route-ownership.ts'

/** A channel type together with the plugin that serves it. */
export interface RegisteredChannelType {
  /** The plugin that declared it. */
  plugin: PluginDefinition
  /** The channel type itself. */
  spec: ChannelTypeSpec
}

/** Everything the loaded plugins declare, indexed for the relay's hot path. */
export interface PluginRegistry {
  /** Loaded plugins in load order. */
  plugins: PluginDefinition[]
  /** Channel type by id, or undefined. */
  channelType(id: string): RegisteredChannelType | undefined
  /** Every channel type, for the admin API and dashboard. */
  channelTypes(): RegisteredChannelType[]
  /** A dialect's client role by id (one that declares routes, even if it owns none of them), or undefined. */
  dialect(id: string): ClientDialect | undefined
  /** Every dialect's client role, for model lists and the relay document. */
  dialects(): ClientDialect[]
  /** A dialect's upstream role by id, upstream-only ones included (client-only ones never): what a call may be sent upstream in. */
  upstreamDialect(id: string): UpstreamDialect | undefined
  /** Both roles of a dialect that has both, what passthrough needs; undefined for a client-only or upstream-only one. */
  passthrough(id: string): PassthroughPair | undefined
  /** The relay routes to mount, each with its one owner (see route-ownership.ts). */
  routes(): OwnedRoute[]
  /** The list price of a model: exact id first, then the longest `prefix*` entry. */
  listPrice(model: string): ModelPrice | undefined
  /** Model specs by id. */
  model(id: string): ModelSpec | undefined
  /** How a plugin counts a model's tokens (exact id first, then the longest `prefix*`), or undefined for the gateway's default. */
  tokenizer(model: string): TokenizerSpec | undefined
}

/**
 * One dialect's two roles, for a call that goes upstream in the client's own dialect (passthrough): the client
 * role completes the answer and says when it ends, the upstream role decodes it for billing.
 */
export interface PassthroughPair {
  /** The role that serves the client. */
  client: ClientDialect
  /** The role that reads the upstream's answer. */
  upstream: UpstreamDialect
}

/** The pair of a dialect entry that has both roles in one object (a `DialectCodec`). */
export function bothRoles(codec: DialectCodec): PassthroughPair {
  return { client: codec, upstream: codec }
}

/** A task's declared base price as a model price: USD per call, plus USD per second of output as the `seconds` quantity. */
export function taskListPrice(price: TaskPrice): ModelPrice {
  return { perCall: price.perCall ?? 0, ...(price.perSecond === undefined ? {} : { perUnit: { seconds: price.perSecond } }) }
}

/** A dialect entry as a plugin declares it (contract 1.5): both roles, the client role alone, or the upstream role alone. */
export type DialectEntry = DialectCodec | ClientDialectCodec | UpstreamDialectCodec

/** True for a dialect clients call in: it declares routes and so brings the client side. */
export function isClientDialect(codec: DialectEntry): codec is DialectCodec | ClientDialectCodec {
  return 'routes' in codec && Array.isArray(codec.routes)
}

/** The first transport that lists a client-only dialect as native, as a load error's words; undefined when none does. */
function clientOnlyNativeProblem(channelTypes: Iterable<RegisteredChannelType>, clientOnly: ReadonlyMap<string, string>): string | undefined {
  for (const { plugin, spec } of channelTypes) {
    const listed = spec.transport.nativeDialects.find((dialect) => clientOnly.has(dialect))
    if (listed !== undefined) {
      return `Plugin "${plugin.id}": channel type "${spec.id}" lists "${listed}" as native, but plugin "${clientOnly.get(listed)}" declares that dialect client-only (role: 'client'), so it is never sent upstream as it is`
    }
  }
  return undefined
}

/** Indexes plugins; duplicate plugin, channel type or dialect ids and unresolved route clashes are load errors. */
export function createRegistry(plugins: PluginDefinition[], options: { routeOwners?: RouteOwners } = {}): PluginRegistry {
  const channelTypes = new Map<string, RegisteredChannelType>()
  const dialects = new Map<string, ClientDialect>()
  const upstreamDialects = new Map<string, UpstreamDialect>()
  const pairs = new Map<string, PassthroughPair>()
  // Client-only dialect id -> the plugin that declared it, for the load error that names both.
  const clientOnly = new Map<string, string>()
  // Prices and tokenizers: the SDK's one rule (exact id, then the longest `prefix*`), shared with plugin tests.
  const prices = createModelLookup<ModelPrice>()
  const models = new Map<string, ModelSpec>()
  const pluginIds = new Set<string>()
  const tokenizers = createModelLookup<TokenizerSpec>()
  for (const plugin of plugins) {
    if (pluginIds.has(plugin.id)) throw new PluginLoadError(`Plugin "${plugin.id}": loaded twice`)
    pluginIds.add(plugin.id)
    for (const spec of plugin.channelTypes) {
      const owner = channelTypes.get(spec.id)
      if (owner) throw new PluginLoadError(`Plugin "${plugin.id}": channel type "${spec.id}" is already served by plugin "${owner.plugin.id}"`)
      channelTypes.set(spec.id, { plugin, spec })
    }
    for (const codec of plugin.dialects) {
      if (upstreamDialects.has(codec.dialect) || dialects.has(codec.dialect))
        throw new PluginLoadError(`Plugin "${plugin.id}": dialect "${codec.dialect}" is already provided`)
      if (isClientOnlyDialect(codec)) {
        dialects.set(codec.dialect, codec)
        clientOnly.set(codec.dialect, plugin.id)
        continue
      }
      upstreamDialects.set(codec.dialect, codec)
      if (isClientDialect(codec)) {
        dialects.set(codec.dialect, codec)
        pairs.set(codec.dialect, bothRoles(codec))
      }
    }
    for (const [model, price] of Object.entries(plugin.pricing)) prices.add(model, price)
    // Task actions are priced by name like models (mj_imagine, suno_music, sora-2): their base prices are list prices, so the
    // pricing page shows them and an admin's price override for the name applies (core/tasks/task-pricing.ts).
    for (const platform of plugin.tasks ?? []) for (const [name, price] of Object.entries(platform.prices)) prices.add(name, taskListPrice(price))
    for (const model of plugin.models) if (!models.has(model.id)) models.set(model.id, model)
    for (const [model, spec] of Object.entries(plugin.tokenizers ?? {})) tokenizers.add(model, spec)
  }
  const nativeProblem = clientOnlyNativeProblem(channelTypes.values(), clientOnly)
  if (nativeProblem) throw new PluginLoadError(nativeProblem)
  const routes = resolveRoutes(plugins, options.routeOwners)
  return {
    plugins,
    channelType: (id) => channelTypes.get(id),
    channelTypes: () => [...channelTypes.values()],
    dialect: (id) => dialects.get(id),
    dialects: () => [...dialects.values()],
    upstreamDialect: (id) => upstreamDialects.get(id),
    passthrough: (id) => pairs.get(id),
    routes: () => routes,
    listPrice: (model) => prices.find(model),
    model: (id) => models.get(id),
    tokenizer: tokenizers.find,
  }
}
