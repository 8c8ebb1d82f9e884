import type { ConversionEnv } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/messages#response-id — message ids start with `msg_`. An id
// already in that form is kept, so a Claude answer relayed through the hub keeps its id; any other
// (e.g. `chatcmpl-…`) is replaced by a fresh one from the injected id source.

/** The message id: `id` when it already starts with `msg_`, else a new one from `env`. */
export function claudeMessageId(id: string | undefined, env: ConversionEnv): string {
  return id?.startsWith('msg_') && id.length > 'msg_'.length ? id : env.newId('msg_')
}
