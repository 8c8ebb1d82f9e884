import { posix } from 'node:path'
import { importsOf, type BoundaryViolation, type SourceFile } from './import-boundaries.ts'

// The rooms of the gateway's core (issue 19 item 10), checked by tests/integration/core-room-boundaries.test.ts.
// The dashboard's /api is three rooms, mounted together by core/api-routes.ts:
//
//   core/http/       HTTP plumbing: the /api base (who is calling, CSRF, per-IP limit, error shape),
//                    `access`, route docs, list queries, CSV, the client IP. Imports no room and not the
//                    relay, so the relay, the sign-in routes and the admin resources can all use it.
//   core/identity/   sign-in and each user's own account (end users sign in there, so it is not admin):
//                    may import core/http, never core/admin/ nor the relay.
//   core/admin/      the resources admins manage, a folder each: may import core/http and core/identity.
//
// Everything else in core/ (the relay, realtime, tasks, billing, routing, plugins, …) imports neither
// core/identity/ nor core/admin/: what both sides need (password hashing, client IP, IP limits) lives
// in core/security, core/http and core/limits. Only core/server.ts mounts core/api-routes.ts. An import
// a rule refuses may be kept as a listed exception with its reason; an exception no import uses is stale.

/** A room import kept on purpose, with why; one that matches no import is reported as stale. */
export interface RoomException {
  /** The importing file, repository-relative. */
  file: string
  /** The imported file, resolved from the repository root. */
  target: string
  /** Why the import may stay. */
  reason: string
}

const within = (path: string, folder: string): boolean => path.startsWith(`${folder}/`)

/** What is wrong with `file` importing the repository file `target`, or undefined when the rooms allow it. */
export function roomProblem(file: string, target: string): string | undefined {
  if (target === 'core/api-routes.ts' && file !== 'core/server.ts') return 'mounts the /api rooms; only core/server.ts imports core/api-routes.ts'
  // The composition of the /api mounts every room.
  if (file === 'core/api-routes.ts') return undefined
  if (within(file, 'core/http')) {
    if (within(target, 'core/identity') || within(target, 'core/admin'))
      return `reaches from the HTTP plumbing into a room (${target}); core/http serves core/identity and core/admin, never the other way`
    if (within(target, 'core/relay')) return `reaches from the HTTP plumbing into the relay (${target}); the relay imports core/http, not the other way`
    return undefined
  }
  if (within(file, 'core/identity')) {
    if (within(target, 'core/admin')) return `reaches from sign-in into the admin resources (${target}); move what both need to core/identity or core/http`
    if (within(target, 'core/relay')) return `reaches from sign-in into the relay (${target}); shared pieces live in core/http, core/limits or core/security`
    return undefined
  }
  if (within(file, 'core/admin')) return undefined
  if (within(file, 'core') && (within(target, 'core/identity') || within(target, 'core/admin')))
    return `reaches into the /api rooms (${target}); what the relay side shares with them lives in core/http, core/limits or core/security`
  return undefined
}

/** Every import among `files` (core/ files, tests beside them included) that breaks a room rule, plus every stale exception. */
export function findRoomViolations(files: SourceFile[], exceptions: RoomException[]): BoundaryViolation[] {
  const violations: BoundaryViolation[] = []
  const used = new Set<RoomException>()
  for (const file of files) {
    if (!within(file.path, 'core')) continue
    for (const { specifier, line } of importsOf(file.text)) {
      if (!specifier.startsWith('.')) continue
      const target = posix.normalize(posix.join(posix.dirname(file.path), specifier))
      const reason = roomProblem(file.path, target)
      if (!reason) continue
      const exception = exceptions.find((candidate) => candidate.file === file.path && candidate.target === target)
      if (exception) used.add(exception)
      else violations.push({ file: file.path, line, specifier, reason })
    }
  }
  for (const exception of exceptions) {
    if (!used.has(exception))
      violations.push({
        file: exception.file,
        line: 0,
        specifier: exception.target,
        reason: 'is listed as an allowed room import but no longer needed: remove the exception',
      })
  }
  return violations
}
