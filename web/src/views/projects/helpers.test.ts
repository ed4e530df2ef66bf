import { describe, expect, it } from 'vitest'
import type { StageRow } from '../../api/projects'
import { daysSince, defaultPlan, ganttBars, levelOfCode, maySign, planProblem, requiredFor, signLevel, subkindsOf, todayShanghai, townOf } from './helpers'

function row(stage: number, p: Partial<StageRow>): StageRow {
  return {
    stage,
    key: 's' + stage,
    label: '',
    planned_start: null,
    planned_end: null,
    actual_start: null,
    actual_end: null,
    signed_by: null,
    signed_by_name: '',
    signed_role: '',
    signed_scope: '',
    opinion: '',
    overdue: false,
    required: [],
    missing: [],
    documents: [],
    ...p,
  }
}

describe('project helpers', () => {
  it('takes today in Asia/Shanghai, not the browser zone', () => {
    // 2026-03-01 17:30 UTC is already 2 March in Shanghai.
    expect(todayShanghai(new Date('2026-03-01T17:30:00Z'))).toBe('2026-03-02')
    expect(todayShanghai(new Date('2026-03-01T15:30:00Z'))).toBe('2026-03-01')
  })

  it('counts days in a stage across months and never below zero', () => {
    expect(daysSince('2026-02-27', '2026-03-02')).toBe(3)
    expect(daysSince('2026-03-02', '2026-03-02')).toBe(0)
    expect(daysSince('2026-03-05', '2026-03-02')).toBe(0)
    expect(daysSince(null, '2026-03-02')).toBe(0)
  })

  it('offers subkinds and required fields by kind', () => {
    expect(subkindsOf('village')).toContain('land_share')
    expect(subkindsOf('carrier')).toEqual(['enterprise', 'cooperative'])
    expect(subkindsOf('household')).toEqual([])
    expect(requiredFor('carrier')).toEqual(['subkind', 'carrier_name', 'benefit_mechanism'])
    expect(requiredFor('household')).toEqual([])
  })

  it('chains the default schedule from the start date', () => {
    const plan = defaultPlan('2026-01-30', [
      { stage: 1, days: 30 },
      { stage: 0, days: 3 },
    ])
    expect(plan).toEqual([
      { stage: 0, planned_start: '2026-01-30', planned_end: '2026-02-01' },
      { stage: 1, planned_start: '2026-02-02', planned_end: '2026-03-03' },
    ])
    expect(planProblem(plan)).toBeNull()
    expect(planProblem([{ stage: 0, planned_start: '2026-02-02', planned_end: '2026-02-01' }])).toEqual({ stage: 0, what: 'order' })
    expect(planProblem([...plan, { stage: 2, planned_start: '2026-01-01', planned_end: '2026-04-01' }])).toEqual({ stage: 2, what: 'order' })
    expect(planProblem([{ stage: 0, planned_start: '', planned_end: '2026-02-01' }])).toEqual({ stage: 0, what: 'missing' })
  })

  it('draws planned and actual bars, the open stage to today, late ones red', () => {
    const g = ganttBars(
      [
        row(0, { planned_start: '2026-01-01', planned_end: '2026-01-10', actual_start: '2026-01-01', actual_end: '2026-01-15' }),
        row(1, { planned_start: '2026-01-11', planned_end: '2026-02-28', actual_start: '2026-01-16' }),
        row(2, { planned_start: '2026-03-01', planned_end: '2026-03-20' }),
      ],
      '2026-02-01',
    )
    expect(g.planned).toHaveLength(3)
    expect(g.actual).toHaveLength(2)
    expect(g.actual[0].late).toBe(true) // ended 15 Jan, planned 10 Jan
    expect(g.actual[1]).toMatchObject({ open: true, late: false })
    expect(g.actual[1].to - g.actual[1].from).toBe(16)
    const overdue = ganttBars([row(0, { planned_start: '2026-01-01', planned_end: '2026-01-10', actual_start: '2026-01-01' })], '2026-01-20')
    expect(overdue.actual[0]).toMatchObject({ open: true, late: true })
    expect(overdue.max - overdue.min).toBe(19)
  })

  it('knows who signs at which level', () => {
    expect(levelOfCode('320921000000')).toBe('county')
    expect(levelOfCode('320921101000')).toBe('town')
    expect(levelOfCode('320921101201')).toBe('village')
    expect(townOf('320921101201')).toBe('320921101000')
    // a county project's town stage is signed at county level
    expect(signLevel('town', '320921000000')).toBe('county')
    expect(signLevel('town', '320921101201')).toBe('town')
    const feas = { roles: ['poverty_office'], level: 'town' }
    expect(maySign(feas, '320921101201', 'poverty_office', '320921101000')).toBe(true)
    expect(maySign(feas, '320921101201', 'poverty_office', '320921000000')).toBe(false)
    expect(maySign(feas, '320921101201', 'village_cadre', '320921101000')).toBe(false)
    expect(maySign(undefined, '320921101201', 'poverty_office', '320921101000')).toBe(false)
  })
})
