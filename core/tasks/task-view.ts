import type { TaskContentRoute, TaskPlatform, TaskResult, TaskStatus, TaskView } from '@hanggent/plugin-sdk'
import type { PluginRegistry } from '../plugin/registry.ts'
import type { TaskRow } from './task-store.ts'

// Pure mapping of stored tasks to what clients see: the gateway's id only, and file URLs pointing at the
// gateway's own content route (when proxying is on and the platform has one) instead of upstream hosts.

/** Every task platform the loaded plugins declare. */
export function taskPlatforms(registry: Pick<PluginRegistry, 'plugins'>): TaskPlatform[] {
  return registry.plugins.flatMap((plugin) => plugin.tasks ?? [])
}

/** The platform a task belongs to. */
export function platformOf(registry: Pick<PluginRegistry, 'plugins'>, id: string): TaskPlatform | undefined {
  return taskPlatforms(registry).find((platform) => platform.id === id)
}

/** The platform's first content route without path prefix variants: where proxied files are served. */
export function contentRouteOf(platform: TaskPlatform): TaskContentRoute | undefined {
  return platform.routes.find((route): route is TaskContentRoute => route.kind === 'content')
}

/** How file URLs are shown: through the gateway at `origin`, or the upstream's own. */
export interface FileLinks {
  /** The gateway's public origin, e.g. `https://api.example.com`. */
  origin: string
  /** True to link the gateway's content route. */
  proxy: boolean
}

/** The client-facing URL of file `index` of a task. */
export function fileUrl(platform: TaskPlatform, taskId: string, index: number, upstreamUrl: string, links: FileLinks): string {
  const route = contentRouteOf(platform)
  if (!links.proxy || !route) return upstreamUrl
  return `${links.origin}${route.path.replace(':id', encodeURIComponent(taskId))}${index > 0 ? `?index=${index}` : ''}`
}

/** A stored task as clients may see it. */
export function taskView(platform: TaskPlatform, row: TaskRow, links: FileLinks): TaskView {
  const stored = (row.result ?? undefined) as TaskResult | undefined
  const result: TaskResult | undefined = stored && {
    ...stored,
    ...(stored.files ? { files: stored.files.map((file, index) => ({ kind: file.kind, url: fileUrl(platform, row.id, index, file.url, links) })) } : {}),
  }
  return {
    id: row.id,
    platform: row.platform,
    action: row.action,
    model: row.model,
    ...(row.mode ? { mode: row.mode } : {}),
    status: row.status as TaskStatus,
    progress: row.progress,
    ...(row.prompt !== null ? { prompt: row.prompt } : {}),
    ...(row.parentTaskId ? { parentTaskId: row.parentTaskId } : {}),
    ...(row.failReason ? { failReason: row.failReason } : {}),
    ...(result ? { result } : {}),
    ...(row.note ? { note: row.note } : {}),
    submitTime: row.submitTime.getTime(),
    ...(row.startTime ? { startTime: row.startTime.getTime() } : {}),
    ...(row.finishTime ? { finishTime: row.finishTime.getTime() } : {}),
  }
}
