// Import progress and reports: phases of the two progress bars, and a report read the
// same whether its rejected rows come as {line, column, reason} or Go's {Line, Column, Reason}.
import type { ImportJob, ImportReport, RejectedRow } from '../api/types'

export function percent(done: number, total: number): number {
  if (!total || total <= 0 || !Number.isFinite(done)) return 0
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)))
}

export type ImportPhase = 'idle' | 'uploading' | 'reading' | 'done' | 'failed'

export function importPhase(busy: boolean, uploadPct: number, job: ImportJob | null): ImportPhase {
  if (job) {
    if (job.state === 'failed') return 'failed'
    if (job.state === 'done') return 'done'
    return 'reading'
  }
  if (busy) return uploadPct >= 100 ? 'reading' : 'uploading'
  return 'idle'
}

export function normaliseRejected(r: unknown): RejectedRow {
  const o = (r ?? {}) as Record<string, unknown>
  const pick = (a: string, b: string) => o[a] ?? o[b]
  return {
    line: Number(pick('line', 'Line') ?? 0),
    column: String(pick('column', 'Column') ?? ''),
    reason: String(pick('reason', 'Reason') ?? ''),
    code: pick('code', 'Code') === undefined ? undefined : String(pick('code', 'Code')),
  }
}

export function normaliseReport(r: ImportReport | null | undefined): ImportReport | null {
  if (!r) return null
  return { ...r, rejected: (r.rejected ?? []).map(normaliseRejected).sort((a, b) => a.line - b.line) }
}
