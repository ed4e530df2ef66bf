import { describe, expect, it } from 'vitest'
import {
  complaintActions,
  deadlineDaysError,
  emptyHotline,
  emptySpot,
  groupHex,
  hotlineErrors,
  hotlinePayload,
  itemsOf,
  mayRecord,
  spotErrors,
  spotFilter,
  targetCounts,
  verifyOK,
} from './helpers'

describe('complaintActions', () => {
  it('offers assign, reply, close by state and forward while open and not forwarded', () => {
    expect(complaintActions({ status: 'received', misconduct: false }, true)).toEqual({ assign: true, reply: false, close: false, forward: true })
    expect(complaintActions({ status: 'assigned', misconduct: false }, true)).toEqual({ assign: true, reply: true, close: false, forward: true })
    expect(complaintActions({ status: 'replied', misconduct: true }, true)).toEqual({ assign: false, reply: false, close: true, forward: false })
    expect(complaintActions({ status: 'closed', misconduct: false }, true)).toEqual({ assign: false, reply: false, close: false, forward: false })
  })
  it('offers nothing without complaint.handle', () => {
    expect(complaintActions({ status: 'received', misconduct: false }, false)).toEqual({ assign: false, reply: false, close: false, forward: false })
  })
})

describe('hotline form', () => {
  const good = () => ({
    ...emptyHotline('320921103001'),
    name: '王五',
    phone: '13812341234',
    category: 'funds',
    subject: '补贴没有到账',
    content: '五月份的补贴至今没有到账。',
  })
  it('accepts a complete form', () => {
    expect(hotlineErrors(good())).toEqual({})
  })
  it('names each missing or bad field', () => {
    const e = hotlineErrors({ ...emptyHotline(''), phone: '12345' })
    expect(Object.keys(e).sort()).toEqual(['category', 'content', 'name', 'phone', 'region_code', 'subject'])
  })
  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(hotlineErrors({ ...good(), subject: '字'.repeat(100) })).toEqual({})
    expect(hotlineErrors({ ...good(), subject: '字'.repeat(101) }).subject).toBe('complaints.err.subjectLong')
    expect(hotlineErrors({ ...good(), content: '𠀀'.repeat(2000) })).toEqual({})
    expect(hotlineErrors({ ...good(), content: 'x'.repeat(2001) }).content).toBe('complaints.err.contentLong')
  })
  it('needs no name and checks no phone when anonymous, and sends neither', () => {
    const f = { ...good(), anonymous: true, name: '', phone: 'garbage' }
    expect(hotlineErrors(f)).toEqual({})
    const p = hotlinePayload({ ...good(), anonymous: true })
    expect(p.name).toBe('')
    expect(p.phone).toBe('')
    expect(p.anonymous).toBe(true)
  })
  it('trims and leaves out an empty entity_ref, keeps HTML as typed', () => {
    const p = hotlinePayload({ ...good(), subject: '  标题 ', content: ' <img src=x onerror=alert(1)> ', entity_ref: '  ' })
    expect(p.subject).toBe('标题')
    expect(p.content).toBe('<img src=x onerror=alert(1)>')
    expect('entity_ref' in p).toBe(false)
    expect(hotlinePayload({ ...good(), entity_ref: ' 320921103001-0007 ' }).entity_ref).toBe('320921103001-0007')
  })
  it('accepts mobile and landline numbers', () => {
    expect(hotlineErrors({ ...good(), phone: '0515-88886666' })).toEqual({})
    expect(hotlineErrors({ ...good(), phone: '88886666' })).toEqual({})
    for (const bad of ['', '123456', '12345678901234', '0515--8888666', '-05158888666', '0515-8888-666', '138 1234 1234', '+8613812341234'])
      expect(hotlineErrors({ ...good(), phone: bad }).phone, bad).toBe('complaints.err.phone')
  })
  it('wants a subject of 2 and content of 5 characters at least', () => {
    expect(hotlineErrors({ ...good(), subject: '补' }).subject).toBe('complaints.err.subject')
    expect(hotlineErrors({ ...good(), subject: '补贴' }).subject).toBeUndefined()
    expect(hotlineErrors({ ...good(), content: '没有到账' }).content).toBe('complaints.err.content')
    expect(hotlineErrors({ ...good(), content: '没有到账。' }).content).toBeUndefined()
  })
})

describe('deadlineDaysError', () => {
  it('takes whole numbers 1–60', () => {
    expect(deadlineDaysError('15')).toBe('')
    expect(deadlineDaysError(' 1 ')).toBe('')
    expect(deadlineDaysError('60')).toBe('')
    for (const bad of ['0', '61', '1.5', '', 'x', '-3', '100']) expect(deadlineDaysError(bad), bad).not.toBe('')
  })
})

describe('spot plan form', () => {
  const base = () => ({ ...emptySpot('320921000000'), title: '五月抽查', inspector_ids: [3, 4] })
  it('sends only the filter fields of the chosen kind', () => {
    const f = { ...base(), household_type: 'dibao', fund_id: 7, item_id: 9, period: '2026-05' }
    expect(spotFilter(f)).toEqual({ status: 'registered', household_type: 'dibao' })
    expect(spotFilter({ ...f, target_kind: 'payment' })).toEqual({ fund_id: 7, item_id: 9, period: '2026-05' })
    expect(spotFilter({ ...f, target_kind: 'payment', fund_id: null })).toEqual({ period: '2026-05' })
    const pr = { ...f, kind: 'village', stage: 0, year: 2026 }
    expect(spotFilter(pr)).toEqual({ status: 'registered', household_type: 'dibao' })
    expect(spotFilter({ ...pr, target_kind: 'project' })).toEqual({ kind: 'village', stage: 0, year: 2026 })
    expect(spotFilter({ ...pr, target_kind: 'project', kind: '', stage: null, year: null })).toEqual({})
  })
  it('checks title, sizes, pool and the payment filter', () => {
    expect(spotErrors(base())).toEqual({})
    expect(Object.keys(spotErrors({ ...emptySpot(''), sample_size: 0, inspectors_per_target: 0 })).sort()).toEqual([
      'inspector_ids',
      'inspectors_per_target',
      'region_code',
      'sample_size',
      'title',
    ])
    expect(spotErrors({ ...base(), inspectors_per_target: 3 }).inspector_ids).toBe('complaints.err.pool')
    const pay = { ...base(), target_kind: 'payment' as const }
    expect(spotErrors({ ...pay, period: '2026-13' })['filter.period']).toBe('complaints.err.period')
    expect(spotErrors({ ...pay, from: '2026-06-01', to: '2026-05-01' })['filter.to']).toBe('complaints.err.range')
    expect(spotErrors({ ...pay, from: '2026-05-01', to: '2026-06-01', period: '2026' })).toEqual({})
    const prj = { ...base(), target_kind: 'project' as const }
    expect(spotErrors({ ...prj, year: 1999 })['filter.year']).toBe('complaints.err.year')
    expect(spotErrors({ ...prj, year: 2026, stage: 9 })).toEqual({})
  })
})

describe('spot helpers', () => {
  it('verifyOK needs all three checks', () => {
    const all = { seed_matches_hash: true, population_matches_hash: true, sample_matches: true, recomputed: [1] }
    expect(verifyOK(all)).toBe(true)
    expect(verifyOK({ ...all, sample_matches: false })).toBe(false)
    expect(verifyOK({ ...all, seed_matches_hash: false })).toBe(false)
    expect(verifyOK({ ...all, population_matches_hash: false })).toBe(false)
    expect(verifyOK({ ...all, inspectors_match: true })).toBe(true)
    expect(verifyOK({ ...all, inspectors_match: false })).toBe(false)
    expect(verifyOK(null)).toBe(false)
  })
  it('lets only the drawn inspectors or the creator record, and only while drawn', () => {
    const plan = { status: 'drawn', created_by: 1 }
    const tg = { inspectors: [{ user_id: 5, name: '甲' }] }
    expect(mayRecord(plan, tg, 5, true)).toBe(true)
    expect(mayRecord(plan, tg, 1, true)).toBe(true)
    expect(mayRecord(plan, tg, 6, true)).toBe(false)
    expect(mayRecord(plan, tg, 5, false)).toBe(false)
    expect(mayRecord({ ...plan, status: 'closed' }, tg, 5, true)).toBe(false)
    expect(mayRecord(plan, { inspectors: null }, undefined, true)).toBe(false)
  })
  it('groups hex digests by eight', () => {
    expect(groupHex('0123456789abcdef01')).toBe('01234567 89abcdef 01')
    expect(groupHex('01234567')).toBe('01234567')
    expect(groupHex(null)).toBe('')
  })
  it('reads both list shapes and counts targets', () => {
    expect(itemsOf([1, 2])).toEqual([1, 2])
    expect(itemsOf({ items: [3] })).toEqual([3])
    expect(itemsOf({ items: null })).toEqual([])
    expect(targetCounts([{ result: 'ok' }, { result: 'problem' }, { result: '' }])).toEqual({ total: 3, recorded: 2, problems: 1 })
    expect(targetCounts(null)).toEqual({ total: 0, recorded: 0, problems: 0 })
  })
})
