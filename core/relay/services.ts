import type { AppContext } from '../app-context.ts'
import { createChannelDirectory, type ChannelDirectory } from '../routing/channel-directory.ts'
import { createChannelHealth } from '../routing/channel-health.ts'
import { createKeyPicker } from '../routing/key-selection.ts'
import { createKeyAuthenticator } from './authenticate.ts'
import { createInflightTracker } from './inflight.ts'
import type { RelayServices } from './pipeline.ts'
import { createObservability } from '../observe/observability.ts'

/** Builds the relay's long-lived services; the channel directory is loaded unless one is given. */
export async function createRelayServices(context: AppContext, directory?: ChannelDirectory): Promise<RelayServices> {
  const observability = createObservability(context)
  return {
    context,
    authenticator: createKeyAuthenticator(context),
    directory: directory ?? (await createChannelDirectory(context)),
    ledger: context.ledger,
    inflight: createInflightTracker(),
    keys: createKeyPicker(),
    health: createChannelHealth(context, observability.metrics?.healthChanged),
    observability,
  }
}
