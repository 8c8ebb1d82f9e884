import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { formatViolation, type SourceFile } from '../support/import-boundaries.ts'
import { findRoomViolations, type RoomException } from '../support/room-boundaries.ts'

// The /api's rooms (issue 19 item 10): HTTP plumbing (core/http), sign-in (core/identity) and the admin
// resources (core/admin), and the relay side kept out of the last two. The rules are written at the top
// of tests/support/room-boundaries.ts.

const root = join(import.meta.dir, '..', '..')

/** Room imports kept on purpose, each with why. */
const ROOM_EXCEPTIONS: RoomException[] = [
  {
    file: 'core/import/import-apply.ts',
    target: 'core/admin/channels/channel-service.ts',
    reason: 'the New API importer writes channels and their abilities in the same transaction the admin channel service uses',
  },
  {
    file: 'core/import/legacy-rows.ts',
    target: 'core/admin/channels/channel-service.ts',
    reason: 'imported model mappings are refused for the same cycles the admin API refuses',
  },
]

/** Every TypeScript file under core/, repository-relative. */
function coreFiles(): SourceFile[] {
  return readdirSync(join(root, 'core'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => {
      const path = relative(root, join(root, 'core', name))
        .split(sep)
        .join('/')
      return { path, text: readFileSync(join(root, path), 'utf8') }
    })
}

describe('core room boundaries', () => {
  test('core/http, core/identity, core/admin and the relay side import only what their rooms allow', () => {
    const files = coreFiles()
    const count = (folder: string) => files.filter((file) => file.path.startsWith(`${folder}/`)).length
    expect(count('core/http')).toBeGreaterThan(5)
    expect(count('core/identity')).toBeGreaterThan(15)
    expect(count('core/admin')).toBeGreaterThan(25)
    expect(findRoomViolations(files, ROOM_EXCEPTIONS).map(formatViolation)).toEqual([])
  })

  test('each rule names the file, the line and the import that breaks it', () => {
    const files: SourceFile[] = [
      {
        path: 'core/http/api-base.ts',
        text: "import { x } from '../identity/sign-in.ts'\nimport { y } from '../relay/pipeline.ts'\nimport { z } from './actor.ts'\n",
      },
      {
        path: 'core/identity/setup.ts',
        text: "import { toUserView } from '../admin/users/user-service.ts'\nimport { checkIpLimit } from '../relay/rate-limits.ts'\n",
      },
      { path: 'core/admin/users/users.ts', text: "import { ownAccount } from '../../identity/own-account.ts'\nimport { a } from '../../api-routes.ts'\n" },
      {
        path: 'core/relay/pipeline.ts',
        text: "import type { Actor } from '../http/actor.ts'\nimport { hashPassword } from '../admin/users/user-service.ts'\n",
      },
      { path: 'core/bootstrap.ts', text: "import { setupRequired } from './identity/setup.ts'\n" },
      { path: 'core/server.ts', text: "import { apiRoutes } from './api-routes.ts'\n" },
      { path: 'tests/integration/x.test.ts', text: "import { apiRoutes } from '../../core/admin/users/users.ts'\n" },
    ]
    const stale: RoomException = { file: 'core/relay/gone.ts', target: 'core/admin/deps.ts', reason: 'gone' }
    expect(findRoomViolations(files, [stale]).map(formatViolation)).toEqual([
      "core/http/api-base.ts:1 imports '../identity/sign-in.ts': reaches from the HTTP plumbing into a room (core/identity/sign-in.ts); core/http serves core/identity and core/admin, never the other way",
      "core/http/api-base.ts:2 imports '../relay/pipeline.ts': reaches from the HTTP plumbing into the relay (core/relay/pipeline.ts); the relay imports core/http, not the other way",
      "core/identity/setup.ts:1 imports '../admin/users/user-service.ts': reaches from sign-in into the admin resources (core/admin/users/user-service.ts); move what both need to core/identity or core/http",
      "core/identity/setup.ts:2 imports '../relay/rate-limits.ts': reaches from sign-in into the relay (core/relay/rate-limits.ts); shared pieces live in core/http, core/limits or core/security",
      "core/admin/users/users.ts:2 imports '../../api-routes.ts': mounts the /api rooms; only core/server.ts imports core/api-routes.ts",
      "core/relay/pipeline.ts:2 imports '../admin/users/user-service.ts': reaches into the /api rooms (core/admin/users/user-service.ts); what the relay side shares with them lives in core/http, core/limits or core/security",
      "core/bootstrap.ts:1 imports './identity/setup.ts': reaches into the /api rooms (core/identity/setup.ts); what the relay side shares with them lives in core/http, core/limits or core/security",
      "core/relay/gone.ts:0 imports 'core/admin/deps.ts': is listed as an allowed room import but no longer needed: remove the exception",
    ])
  })
})
