import { describe, expect, it } from 'vitest'
import { importPhase, normaliseReport, percent } from './exchange'
import type { ImportJob } from '../api/types'

const job = (state: ImportJob['state']): ImportJob => ({ id: 1, kind: 'households', file: 'a.csv', state, bytes_read: 5, bytes_total: 10, rows: 1 })

describe('percent', () => {
  it('is a whole percentage within 0..100', () => {
    expect(percent(5, 10)).toBe(50)
    expect(percent(1, 3)).toBe(33)
    expect(percent(12, 10)).toBe(100)
    expect(percent(5, 0)).toBe(0)
  })
})

describe('importPhase', () => {
  it('follows upload, then the job', () => {
    expect(importPhase(false, 0, null)).toBe('idle')
    expect(importPhase(true, 40, null)).toBe('uploading')
    expect(importPhase(true, 100, null)).toBe('reading')
    expect(importPhase(true, 100, job('running'))).toBe('reading')
    expect(importPhase(false, 100, job('done'))).toBe('done')
    expect(importPhase(false, 100, job('failed'))).toBe('failed')
  })
})

describe('normaliseReport', () => {
  it('reads rejected rows in either spelling, sorted by line', () => {
    const r = normaliseReport({
      kind: 'households',
      file: 'a.csv',
      sha256: 'x',
      rows: 3,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      committed: false,
      rejected: [{ Line: 4, Column: 'village_code', Code: '', Reason: 'bad' } as never, { line: 2, column: 'phone', reason: 'short' }],
    })
    expect(r?.rejected).toEqual([
      { line: 2, column: 'phone', reason: 'short', code: undefined },
      { line: 4, column: 'village_code', reason: 'bad', code: '' },
    ])
    expect(normaliseReport(null)).toBeNull()
    expect(normaliseReport({ kind: '', file: '', sha256: '', rows: 0, inserted: 0, updated: 0, unchanged: 0, committed: true, rejected: null })?.rejected).toEqual([])
  })
})
