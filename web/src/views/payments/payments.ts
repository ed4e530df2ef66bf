// Pure helpers of the 资金直达 screens: status tags, the plan's progress as el-steps, which
// actions a plan's status allows, and the period a plan pays for.
import type { Plan } from '../../api/payments'

export type TagType = 'warning' | 'primary' | 'success' | 'info' | 'danger'

export const planStatuses = ['draft', 'submitted', 'approved', 'rejected', 'paying', 'done'] as const
export const lineStatuses = ['pending', 'sent', 'paid', 'failed', 'reissue', 'cancelled'] as const

export const planTag: Record<string, TagType> = {
  draft: 'info',
  submitted: 'warning',
  approved: 'primary',
  rejected: 'danger',
  paying: 'primary',
  done: 'success',
}

export const lineTag: Record<string, TagType> = {
  pending: 'info',
  sent: 'primary',
  paid: 'success',
  failed: 'danger',
  reissue: 'warning',
  cancelled: 'info',
}

export const batchTag: Record<string, TagType> = { sent: 'warning', reconciled: 'success' }

// The steps a plan goes through, in order; a rejected plan fails at the approval step.
export const planSteps = ['draft', 'submitted', 'approved', 'paying', 'done'] as const

export interface StepView {
  active: number
  status: 'wait' | 'process' | 'finish' | 'error' | 'success'
}

export function planStep(status: string): StepView {
  if (status === 'rejected') return { active: 2, status: 'error' }
  if (status === 'done') return { active: planSteps.length, status: 'success' }
  const i = planSteps.indexOf(status as (typeof planSteps)[number])
  return { active: i < 0 ? 0 : i, status: 'process' }
}

type Can = (permission: string) => boolean

// What the signed-in user may do with a plan in its status (the server checks again).
export function planActions(p: Pick<Plan, 'status'>, can: Can) {
  const s = p.status
  return {
    importLines: can('plan.write') && (s === 'draft' || s === 'rejected'),
    submit: can('plan.write') && (s === 'draft' || s === 'rejected'),
    approve: can('plan.approve') && s === 'submitted',
    reject: can('plan.approve') && s === 'submitted',
    batch: can('plan.approve') && (s === 'approved' || s === 'paying'),
    reconcile: can('plan.approve') && (s === 'approved' || s === 'paying'),
  }
}

// A period is a year or a month: "2026", "2026-07".
export function validPeriod(s: string): boolean {
  return /^\d{4}(-(0[1-9]|1[0-2]))?$/.test(s.trim())
}

// The month in Asia/Shanghai of a date, "YYYY-MM": the default period of a new plan.
export function monthShanghai(now: Date = new Date()): string {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(now)
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}`
}

// Whether a plan's lines came from an import ("import:<sha prefix>") or a rule (JSON).
export const importedSource = (source: string) => source.startsWith('import:')

// Paid share of a plan as a whole percent (0 when there is nothing to pay).
export function paidPercent(paid: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.min(100, Math.floor((paid * 100) / total))
}
