import type { Config } from '../config.ts'
import type { PluginHostConfig } from '@hanggent/plugin-sdk'

const built = new WeakMap<Config, PluginHostConfig>()

/** The gateway settings every channel context carries to plugins; one frozen object per config. */
export function pluginHostConfig(config: Config): PluginHostConfig {
  let host = built.get(config)
  if (!host) {
    host = Object.freeze({ azureDefaultApiVersion: config.azureDefaultApiVersion })
    built.set(config, host)
  }
  return host
}
