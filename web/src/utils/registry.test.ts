import { describe, expect, it } from 'vitest'
import type { Procedure, Signature } from '../api/types'
import {
  approvalAt,
  backToOptions,
  countdown,
  currentNotice,
  emptyFilters,
  filtersFromRoute,
  filtersToRoute,
  hasBack,
  householdQuery,
  needsNotice,
  policiesFor,
  signaturesAt,
  startableKinds,
  stepSigner,
  stepStates,
  todayShanghai,
} from './registry'

describe('householdQuery', () => {
  it('leaves empty filters out', () => {
    expect(householdQuery(emptyFilters(''))).toEqual({ query: {}, invalid: null })
  })
  it('passes every filter and turns yuan into fen', () => {
    const f = {
      region: '320921000000',
      status: 'registered',
      type: 'dibao',
      cause: 'illness',
      gap: 'any',
      incomeMin: '1,000',
      incomeMax: '6000.5',
      q: ' 王 ',
    }
    expect(householdQuery(f)).toEqual({
      query: {
        region: '320921000000',
        status: 'registered',
        type: 'dibao',
        cause: 'illness',
        gap: 'any',
        income_min: '100000',
        income_max: '600050',
        q: '王',
      },
      invalid: null,
    })
  })
  it('swaps bounds given the wrong way round and keeps zero', () => {
    const q = householdQuery({ ...emptyFilters(), incomeMin: '8000', incomeMax: '0' }).query
    expect(q.income_min).toBe('0')
    expect(q.income_max).toBe('800000')
  })
  it('reports an income bound that is not an amount', () => {
    expect(householdQuery({ ...emptyFilters(), incomeMin: 'abc' }).invalid).toBe('incomeMin')
    expect(householdQuery({ ...emptyFilters(), incomeMax: '1.234' }).invalid).toBe('incomeMax')
    expect(householdQuery({ ...emptyFilters(), incomeMax: '-5' }).invalid).toBe('incomeMax')
  })
})

describe('filters in the route', () => {
  it('round-trips, leaving the scope and empty values out', () => {
    const scope = '320921000000'
    const f = { ...emptyFilters(scope), status: 'exited', incomeMin: '1000', gap: 'water' }
    const r = filtersToRoute(f, scope)
    expect(r).toEqual({ status: 'exited', gap: 'water', income_min: '1000.00' })
    expect(filtersFromRoute(r, scope)).toEqual({ ...f, incomeMin: '1000.00' })
    expect(filtersFromRoute({ region: ['x'] }, scope).region).toBe(scope)
  })
})

const steps = ['a', 'b', 'c', 'd'].map((k, i) => ({ key: k, label: k.toUpperCase(), role: 'village_cadre', level: '' as const, publicity_days: i === 2 ? 7 : 0 }))
function proc(p: Partial<Procedure>): Procedure {
  return {
    id: 1,
    household_id: 1,
    household_no: 'x',
    head_name: 'y',
    region_code: '',
    region_name: '',
    kind: 'registration',
    def_version: 1,
    status: 'open',
    step: 0,
    steps,
    reason: '',
    started_by: 1,
    started_at: '',
    finished_at: '',
    updated_at: '',
    signatures: [],
    notices: [],
    objections: [],
    can_sign: true,
    blocked: '',
    ...p,
  }
}
const sig = (id: number, step: number, decision: 'approve' | 'reject', at: string): Signature => ({
  id,
  step,
  step_key: steps[step].key,
  decision,
  opinion: '',
  back_to: null,
  user_id: 1,
  user_name: 'u',
  role: 'village_cadre',
  attachment_id: null,
  attachment: null,
  at,
})

describe('stepStates', () => {
  it('marks signed steps success, the current one process, later ones wait', () => {
    expect(stepStates(proc({ step: 2 }))).toEqual(['success', 'success', 'process', 'wait'])
    expect(stepStates(proc({ step: 0 }))).toEqual(['process', 'wait', 'wait', 'wait'])
  })
  it('shows a finished procedure all success and a cancelled one error where it stopped', () => {
    expect(stepStates(proc({ status: 'done', step: 4 }))).toEqual(['success', 'success', 'success', 'success'])
    expect(stepStates(proc({ status: 'cancelled', step: 1 }))).toEqual(['success', 'error', 'wait', 'wait'])
  })
  it('copes with a procedure without steps', () => {
    expect(stepStates(proc({ steps: [] }))).toEqual([])
  })
})

describe('signatures', () => {
  const p = proc({
    step: 2,
    signatures: [
      sig(3, 1, 'approve', '2026-01-03T00:00:00Z'),
      sig(1, 0, 'approve', '2026-01-01T00:00:00Z'),
      sig(2, 1, 'reject', '2026-01-02T00:00:00Z'),
      sig(4, 2, 'reject', '2026-01-04T00:00:00Z'),
    ],
  })
  it('lists a step\'s signatures oldest first', () => {
    expect(signaturesAt(p, 1).map((s) => s.id)).toEqual([2, 3])
  })
  it('takes the latest approval of a signed step, none for the current step', () => {
    expect(approvalAt(p, 1)?.id).toBe(3)
    expect(approvalAt(p, 0)?.id).toBe(1)
    expect(approvalAt(p, 2)).toBeNull()
  })
  it('offers every earlier step to return to', () => {
    expect(backToOptions(p)).toEqual([
      { value: 0, label: '1. A' },
      { value: 1, label: '2. B' },
    ])
    expect(backToOptions(proc({ step: 0 }))).toEqual([])
  })
})

describe('notices', () => {
  const n = { id: 9, procedure_id: 1, step: 2, region_code: '', title: '', body: '', starts_at: '', ends_at: '2026-01-08T00:00:00Z', created_by: 1 }
  it('knows when the current step needs a notice', () => {
    expect(needsNotice(proc({ step: 2 }))).toBe(true)
    expect(needsNotice(proc({ step: 1 }))).toBe(false)
    expect(needsNotice(proc({ step: 2, notices: [n] }))).toBe(false)
    expect(needsNotice(proc({ step: 2, status: 'cancelled' }))).toBe(false)
    expect(currentNotice(proc({ step: 2, notices: [n] }))?.id).toBe(9)
    expect(currentNotice(proc({ step: 3, notices: [n] }))).toBeNull()
  })
  it('counts down to the end of the period', () => {
    const end = '2026-01-08T00:00:00Z'
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(countdown(end, now)).toEqual({ ended: false, days: 7, hours: 0, minutes: 0 })
    expect(countdown(end, now + 90 * 60000 + 30000)).toEqual({ ended: false, days: 6, hours: 22, minutes: 29 })
    expect(countdown(end, Date.parse(end))).toMatchObject({ ended: true })
    expect(countdown('nonsense', now)).toMatchObject({ ended: true })
  })
})

describe('startableKinds', () => {
  it('follows the household status', () => {
    expect(startableKinds('registered', false)).toEqual(['exit', 'removal'])
    expect(startableKinds('exited', false)).toEqual(['return'])
    expect(startableKinds('applying', false)).toEqual([])
    expect(startableKinds('removed', false)).toEqual([])
    expect(startableKinds('registered', true)).toEqual([])
  })
})

describe('policiesFor', () => {
  it('lists general policies, then by type, cause and gap, without repeats', () => {
    expect(policiesFor('dibao', ['illness', 'labour'], ['housing'])).toEqual([
      'medicalInsurance',
      'industry',
      'employment',
      'dibao',
      'illness',
      'publicJobs',
      'housing',
    ])
    expect(policiesFor('general', ['schooling'], ['education'], '2027-12-31')).toEqual([
      'medicalInsurance',
      'industry',
      'employment',
      'schooling',
      'policyKept',
    ])
  })
})

describe('stepSigner', () => {
  it('combines level and role as the message says, the role alone without a level', () => {
    const t = (_k: string, n?: Record<string, unknown>) => `${n?.level}|${n?.role}`
    const label = (g: string, v: string) => `${g}.${v}`
    expect(stepSigner(t, label, { role: 'poverty_office', level: 'county' })).toBe('levelsShort.county|roles.poverty_office')
    expect(stepSigner(t, label, { role: 'helper', level: '' })).toBe('roles.helper')
  })
})

describe('hasBack', () => {
  it('is true only when the router recorded a previous page', () => {
    expect(hasBack({ back: '/households', current: '/households/1' })).toBe(true)
    expect(hasBack({ back: null })).toBe(false)
    expect(hasBack(null)).toBe(false)
  })
})

describe('todayShanghai', () => {
  it('is the calendar date in China', () => {
    expect(todayShanghai(new Date('2026-01-01T16:30:00Z'))).toBe('2026-01-02')
    expect(todayShanghai(new Date('2026-01-01T15:30:00Z'))).toBe('2026-01-01')
  })
})
