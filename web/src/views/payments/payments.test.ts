import { describe, expect, it } from 'vitest'
import { importedSource, monthShanghai, paidPercent, planActions, planStep, validPeriod } from './payments'

describe('planStep', () => {
  it('walks draft → done and fails a rejected plan at the approval step', () => {
    expect(planStep('draft')).toEqual({ active: 0, status: 'process' })
    expect(planStep('submitted')).toEqual({ active: 1, status: 'process' })
    expect(planStep('approved')).toEqual({ active: 2, status: 'process' })
    expect(planStep('paying')).toEqual({ active: 3, status: 'process' })
    expect(planStep('done')).toEqual({ active: 5, status: 'success' })
    expect(planStep('rejected')).toEqual({ active: 2, status: 'error' })
    expect(planStep('whatever')).toEqual({ active: 0, status: 'process' })
  })
})

describe('planActions', () => {
  const office = (p: string) => p === 'plan.write'
  const finance = (p: string) => p === 'plan.approve'
  it('lets the poverty office import into and submit drafts and rejected plans only', () => {
    expect(planActions({ status: 'draft' }, office)).toMatchObject({ importLines: true, submit: true, approve: false, batch: false })
    expect(planActions({ status: 'rejected' }, office)).toMatchObject({ importLines: true, submit: true })
    expect(planActions({ status: 'submitted' }, office)).toMatchObject({ importLines: false, submit: false, approve: false })
  })
  it('lets finance approve submitted plans and write batches of approved or paying ones', () => {
    expect(planActions({ status: 'submitted' }, finance)).toMatchObject({ approve: true, reject: true, batch: false, submit: false })
    expect(planActions({ status: 'approved' }, finance)).toMatchObject({ approve: false, batch: true, reconcile: true })
    expect(planActions({ status: 'paying' }, finance)).toMatchObject({ batch: true })
    expect(planActions({ status: 'done' }, finance)).toMatchObject({ batch: false, reconcile: false })
    expect(planActions({ status: 'draft' }, finance)).toMatchObject({ importLines: false, submit: false })
  })
})

describe('periods and sources', () => {
  it('accepts a year or a month', () => {
    for (const ok of ['2026', '2026-01', '2026-12', ' 2026-07 ']) expect(validPeriod(ok), ok).toBe(true)
    for (const bad of ['', '26', '2026-13', '2026-00', '2026-1', '2026/07', '2026-07-01']) expect(validPeriod(bad), bad).toBe(false)
  })
  it('takes the month in Shanghai, not in the browser zone', () => {
    expect(monthShanghai(new Date('2026-06-30T16:30:00Z'))).toBe('2026-07')
    expect(monthShanghai(new Date('2026-06-30T15:30:00Z'))).toBe('2026-06')
  })
  it('tells imported lines from rule-generated ones', () => {
    expect(importedSource('import:ab12cd')).toBe(true)
    expect(importedSource('{"household_types":[]}')).toBe(false)
  })
  it('computes a whole paid percentage', () => {
    expect(paidPercent(0, 0)).toBe(0)
    expect(paidPercent(1, 3)).toBe(33)
    expect(paidPercent(3, 3)).toBe(100)
    expect(paidPercent(5, 3)).toBe(100)
  })
})

describe('menu entries', () => {
  it('shows plans to fund readers and the re-issue queue to finance only', async () => {
    const { menuFor } = await import('../../utils/menu')
    const keys = (perms: string[]) => menuFor(perms).map((m) => m.key).filter((k) => k.startsWith('pay-'))
    expect(keys(['fund.read', 'plan.write'])).toEqual(['pay-plans'])
    expect(keys(['fund.read', 'fund.write', 'plan.approve'])).toEqual(['pay-plans', 'pay-reissue'])
    expect(keys(['plan.approve'])).toEqual([])
    expect(keys(['household.read'])).toEqual([])
  })
})

describe('audit labels', () => {
  it('names every audit action of direct payment', async () => {
    const { i18n, label } = await import('../../i18n')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'plan.create': '编制发放计划',
      'plan.submit': '提交发放计划',
      'plan.approve': '审核发放计划',
      'plan.reject': '退回发放计划',
      'plan.lines.import': '导入发放明细',
      'plan.line.reissue': '补发',
      'plan.line.cancel': '取消发放',
      'payment.batch.create': '生成银行批量文件',
      'payment.batch.reconcile': '银行回盘对账',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    expect(label('entityTypes', 'plan')).toBe('发放计划')
    expect(label('pay.planStatus', 'paying')).toBe('发放中')
  })
})
