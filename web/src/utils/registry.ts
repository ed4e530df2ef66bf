// Logic of the registry screens that is worth testing on its own: list filters → query
// string, procedure steps → el-steps states, publicity countdowns, which procedures a
// household may start, and which policy lines a household's 明白卡 lists.
import type { HouseholdStatus, Procedure, ProcKind, Signature } from '../api/types'
import { parseYuan, fenToYuanInput } from './money'

export const statuses: HouseholdStatus[] = ['applying', 'registered', 'exited', 'removed']
export const householdTypes = ['dibao', 'tekun', 'general'] as const
export const causes = ['illness', 'disability', 'schooling', 'disaster', 'labour', 'skills', 'capital', 'motivation', 'other'] as const
export const guaranteeNames = ['food', 'education', 'medical', 'housing', 'water'] as const
export const relations = ['head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other'] as const
export const healths = ['healthy', 'chronic', 'serious', 'disabled'] as const
export const labours = ['full', 'partial', 'none'] as const
export const procKinds: ProcKind[] = ['registration', 'exit', 'removal', 'return']

export const statusTag: Record<string, 'warning' | 'primary' | 'success' | 'info' | 'danger'> = {
  applying: 'warning',
  registered: 'primary',
  exited: 'success',
  removed: 'info',
}

export interface HouseholdFilters {
  region: string
  status: string
  type: string
  cause: string
  gap: string // '' | 'any' | a guarantee name
  incomeMin: string // yuan, as typed
  incomeMax: string
  q: string
}

export function emptyFilters(region = ''): HouseholdFilters {
  return { region, status: '', type: '', cause: '', gap: '', incomeMin: '', incomeMax: '', q: '' }
}

export interface FilterQuery {
  query: Record<string, string>
  // the filter field that could not be read (an income bound that is not an amount)
  invalid: 'incomeMin' | 'incomeMax' | null
}

// householdQuery turns the filter form into the query of GET /households (fen for
// incomes; empty fields left out; bounds given the wrong way round are swapped).
export function householdQuery(f: HouseholdFilters): FilterQuery {
  const query: Record<string, string> = {}
  const set = (k: string, v: string) => {
    if (v.trim() !== '') query[k] = v.trim()
  }
  set('region', f.region)
  set('status', f.status)
  set('type', f.type)
  set('cause', f.cause)
  set('gap', f.gap)
  set('q', f.q)
  let min = parseYuan(f.incomeMin)
  let max = parseYuan(f.incomeMax)
  if (f.incomeMin.trim() !== '' && (min === null || min < 0)) return { query, invalid: 'incomeMin' }
  if (f.incomeMax.trim() !== '' && (max === null || max < 0)) return { query, invalid: 'incomeMax' }
  if (min !== null && max !== null && min > max) [min, max] = [max, min]
  if (min !== null) query.income_min = String(min)
  if (max !== null) query.income_max = String(max)
  return { query, invalid: null }
}

// The filters kept in the page URL (so "back" from a household file restores the list):
// the same names as the API, incomes in yuan.
export function filtersToRoute(f: HouseholdFilters, scope: string): Record<string, string> {
  const { query, invalid } = householdQuery(f)
  const out: Record<string, string> = { ...query }
  if (out.region === scope) delete out.region
  delete out.income_min
  delete out.income_max
  if (!invalid) {
    if (query.income_min) out.income_min = fenToYuanInput(Number(query.income_min))
    if (query.income_max) out.income_max = fenToYuanInput(Number(query.income_max))
  }
  return out
}

export function filtersFromRoute(q: Record<string, unknown>, scope: string): HouseholdFilters {
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '')
  return {
    region: s('region') || scope,
    status: s('status'),
    type: s('type'),
    cause: s('cause'),
    gap: s('gap'),
    incomeMin: s('income_min'),
    incomeMax: s('income_max'),
    q: s('q'),
  }
}

// ---- procedures ----

export type StepState = 'success' | 'process' | 'error' | 'wait'

// stepStates maps each step of a procedure to the state el-steps shows: signed steps are
// success, the step waiting for a signature is process (error when it is blocked by an
// unanswered objection or was just returned to), and a cancelled procedure shows error
// where it stopped.
export function stepStates(p: Pick<Procedure, 'status' | 'step' | 'steps' | 'blocked'> & { signatures?: Signature[] }): StepState[] {
  const n = p.steps?.length ?? 0
  return Array.from({ length: n }, (_, i): StepState => {
    if (p.status === 'done') return 'success'
    if (i < p.step) return 'success'
    if (i > p.step) return 'wait'
    if (p.status === 'cancelled') return 'error'
    return 'process'
  })
}

// The signatures given at step i, oldest first.
export function signaturesAt(p: Pick<Procedure, 'signatures'>, i: number): Signature[] {
  return (p.signatures ?? []).filter((s) => s.step === i).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id))
}

// The signature that counts for step i: its latest approval (null when unsigned).
export function approvalAt(p: Pick<Procedure, 'signatures' | 'step' | 'status'>, i: number): Signature | null {
  if (p.status !== 'done' && i >= p.step) return null
  const list = signaturesAt(p, i).filter((s) => s.decision === 'approve')
  return list[list.length - 1] ?? null
}

// Where a rejection may send the procedure: every earlier step.
export function backToOptions(p: Pick<Procedure, 'step' | 'steps'>): { value: number; label: string }[] {
  return (p.steps ?? []).slice(0, Math.max(0, p.step)).map((s, i) => ({ value: i, label: `${i + 1}. ${s.label}` }))
}

// The notice of the current step, if published.
export function currentNotice(p: Pick<Procedure, 'notices' | 'step'>) {
  const list = (p.notices ?? []).filter((n) => n.step === p.step)
  return list[list.length - 1] ?? null
}

// Whether the current step needs a publicity notice that has not been published yet.
export function needsNotice(p: Procedure): boolean {
  const s = p.status === 'open' ? p.steps?.[p.step] : undefined
  return !!s && s.publicity_days > 0 && currentNotice(p) === null
}

export interface Countdown {
  ended: boolean
  days: number
  hours: number
  minutes: number
}

// countdown to an RFC 3339 end time from now (ms since epoch).
export function countdown(endsAt: string, now: number): Countdown {
  const end = Date.parse(endsAt)
  if (!Number.isFinite(end) || end <= now) return { ended: true, days: 0, hours: 0, minutes: 0 }
  const mins = Math.floor((end - now) / 60000)
  return { ended: false, days: Math.floor(mins / 1440), hours: Math.floor((mins % 1440) / 60), minutes: mins % 60 }
}

// The procedures a household in this status may start (registration starts with the household).
export function startableKinds(status: string, hasOpen: boolean): ProcKind[] {
  if (hasOpen) return []
  if (status === 'registered') return ['exit', 'removal']
  if (status === 'exited') return ['return']
  return []
}

// Who signs a step: "县级农办/扶贫办" — the level (when the step has one) and the role, as
// the message key procedure.who combines them (t is vue-i18n's).
export function stepSigner(
  t: (key: string, named?: Record<string, unknown>) => string,
  label: (group: string, value: string) => string,
  s: { role: string; level: string },
): string {
  const role = label('roles', s.role)
  return s.level ? t('procedure.who', { level: label('levelsShort', s.level), role }) : role
}

// ---- 明白卡: the policy lines that apply ----

// Policy keys (i18n policy.items.*) that apply to a household of this type, with these
// causes and guarantee gaps. The general ones come first, in a fixed order.
export function policiesFor(type: string, causeList: string[], gaps: string[], policyUntil = ''): string[] {
  const out = ['medicalInsurance', 'industry', 'employment']
  if (type === 'dibao') out.push('dibao')
  if (type === 'tekun') out.push('tekun')
  const byCause: Record<string, string> = {
    illness: 'illness',
    disability: 'disability',
    schooling: 'schooling',
    disaster: 'disaster',
    labour: 'publicJobs',
    skills: 'training',
    capital: 'microcredit',
    motivation: 'motivation',
  }
  for (const c of causes) if (causeList.includes(c) && byCause[c] && !out.includes(byCause[c])) out.push(byCause[c])
  if (gaps.includes('housing')) out.push('housing')
  if (gaps.includes('water')) out.push('water')
  if (gaps.includes('education') && !out.includes('schooling')) out.push('schooling')
  if (policyUntil) out.push('policyKept')
  return out
}

// "Back" from a detail page: the previous page of this tab when there is one (vue-router
// keeps it in history.state.back), else the given list.
export function hasBack(state: unknown): boolean {
  return !!state && typeof state === 'object' && typeof (state as { back?: unknown }).back === 'string'
}

// Today in Asia/Shanghai as YYYY-MM-DD.
export function todayShanghai(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}
