import type { TaskStatus } from '@hanggent/plugin-sdk'

// Suno-API reports its own task states (po.TaskStatus: NOT_START, SUBMITTED, QUEUED, IN_PROGRESS,
// SUCCESS, FAILURE, UNKNOWN), derived from the clips' `submitted`/`queued`/`streaming`/`complete`/`error`.
// see github.com/Suno-API/Suno-API entity/po/task.go and api.go readerStatus

/** The gateway state and progress for a Suno-API task state; UNKNOWN (a state Suno-API could not read) counts as a failure, since Suno-API treats it as done. */
export function mapSunoStatus(status: string, failReason: string | undefined): { status: TaskStatus; progress: number } {
  if (failReason) return { status: 'FAILURE', progress: 100 }
  switch (status.toUpperCase()) {
    case 'NOT_START':
      return { status: 'SUBMITTED', progress: 0 }
    case 'SUBMITTED':
      return { status: 'SUBMITTED', progress: 10 }
    case 'QUEUED':
      return { status: 'SUBMITTED', progress: 20 }
    case 'IN_PROGRESS':
      return { status: 'IN_PROGRESS', progress: 50 }
    case 'SUCCESS':
      return { status: 'SUCCESS', progress: 100 }
    default:
      return { status: 'FAILURE', progress: 100 }
  }
}

/** Why a task whose state maps to FAILURE failed, when Suno-API gave no reason. */
export function sunoFailReason(status: string, failReason: string | undefined): string {
  if (failReason) return failReason
  return status.toUpperCase() === 'FAILURE' ? 'the upstream reported the task failed' : `the upstream reported an unknown task state "${status}"`
}
