import type { AppContext } from '../app-context.ts'
import type { ChannelDirectory } from '../routing/channel-directory.ts'
import type { ChannelHealth } from '../routing/channel-health.ts'
import { testChannel } from '../routing/channel-tester.ts'
import { disabledForLowBalance } from '../routing/balance-refresh.ts'

/**
 * Tests every auto-disabled channel once and re-enables those that answer; returns the ids re-enabled.
 * Channels disabled for a low upstream balance are left to the balance refresh: a test call may well
 * pass on the last cents, and the channel would run dry in rotation.
 */
export async function retestDisabledChannels(context: AppContext, directory: ChannelDirectory, health: ChannelHealth): Promise<number[]> {
  const enabled: number[] = []
  for (const channel of directory.all().filter((entry) => entry.status === 'auto-disabled' && !disabledForLowBalance(entry.statusReason))) {
    const result = await testChannel(context, channel)
    if (!result.ok) {
      context.logger.log('info', 'disabled channel still failing its test', { channelId: channel.id, status: result.status, message: result.message })
      continue
    }
    await health.enable(channel.id, `passed the scheduled test in ${result.latencyMs} ms`)
    enabled.push(channel.id)
  }
  return enabled
}
