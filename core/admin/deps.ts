import type { AppContext } from '../app-context.ts'
import { createChannelDirectory, type ChannelDirectory } from '../routing/channel-directory.ts'
import type { RelayServices } from '../relay/pipeline.ts'
import { createRelayServices } from '../relay/services.ts'
import { createActorResolver } from '../http/actor.ts'
import type { IdentityDeps } from '../identity/deps.ts'
import { createSignInSettingsStore } from '../identity/sign-in-settings-store.ts'

/** What every admin route module receives. */
export interface AdminDeps extends IdentityDeps {
  /** Channels as the relay sees them (keys decrypted), for channel tests. */
  directory(): Promise<ChannelDirectory>
  /** The relay's services, for routes that relay calls themselves (the playground). */
  relay(): Promise<RelayServices>
}

/** Builds the shared dependencies once for all admin modules; without the relay's services, they are built on first use. */
export function createAdminDeps(context: AppContext, relay?: RelayServices): AdminDeps {
  let directory: Promise<ChannelDirectory> | undefined = relay ? Promise.resolve(relay.directory) : undefined
  let services: Promise<RelayServices> | undefined = relay ? Promise.resolve(relay) : undefined
  const loadDirectory = () => (directory ??= createChannelDirectory(context))
  return {
    context,
    resolver: createActorResolver(context),
    directory: loadDirectory,
    signIn: createSignInSettingsStore(context),
    relay: () => (services ??= loadDirectory().then((loaded) => createRelayServices(context, loaded))),
  }
}
