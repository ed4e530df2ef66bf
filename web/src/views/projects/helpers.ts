// Pure helpers of the 精准项目 screens: calendar dates in Asia/Shanghai, days in a stage, the
// subkinds and required fields a kind asks for, the default schedule, the Gantt rows and the
// stage a user may sign.
import { todayShanghai } from '../../utils/registry'
import type { PlanStatus, ProjectKind, ProjectStatus, RiskLevel, StageRow, StageRule } from '../../api/projects'

export const projectKinds: ProjectKind[] = ['household', 'carrier', 'village']
export const villageSubkinds = ['land_share', 'resource', 'service', 'property', 'mixed']
export const carrierSubkinds = ['enterprise', 'cooperative']
export const projectStatuses: ProjectStatus[] = ['active', 'completed', 'failed']
export const benefitLinks = ['dividend', 'employment', 'purchase', 'rent', 'subsidy', 'other']
export const planStatuses: PlanStatus[] = ['draft', 'filed', 'received', 'returned']
export const riskLevels: RiskLevel[] = ['low', 'medium', 'high']
/** Stage keys 0-8 (9 = all signed, completed; -1 on the board = failed). */
export const stageKeys = ['research', 'feasibility', 'review', 'approval', 'tender', 'implementation', 'acceptance', 'evaluation', 'distribution']
export const doneStage = 9

const dayMs = 86400000
const ymd = /^(\d{4})-(\d{2})-(\d{2})/

/** Today's calendar date in Asia/Shanghai (the registry's helper). */
export { todayShanghai }

/** Days since the epoch of a "YYYY-MM-DD…" date (NaN when it is not one). */
export function dayNumber(d: string | null | undefined): number {
  const m = d ? ymd.exec(d) : null
  if (!m) return NaN
  return Date.UTC(+m[1], +m[2] - 1, +m[3]) / dayMs
}

/** "YYYY-MM-DD" of a day number. */
export function dayString(n: number): string {
  return new Date(n * dayMs).toISOString().slice(0, 10)
}

export function addDays(d: string, n: number): string {
  return dayString(dayNumber(d) + n)
}

/** Whole days from since to today (0 on the same day; never negative). */
export function daysSince(since: string | null | undefined, today: string): number {
  const a = dayNumber(since)
  const b = dayNumber(today)
  if (Number.isNaN(a) || Number.isNaN(b)) return 0
  return Math.max(0, b - a)
}

/** The subkinds a kind offers ([] for direct-to-household projects). */
export function subkindsOf(kind: string): string[] {
  if (kind === 'village') return villageSubkinds
  if (kind === 'carrier') return carrierSubkinds
  return []
}

/** Fields a kind makes required beyond the common ones. */
export function requiredFor(kind: string): string[] {
  if (kind === 'carrier') return ['subkind', 'carrier_name', 'benefit_mechanism']
  if (kind === 'village') return ['subkind']
  return []
}

/**
 * The default schedule the server would give: stage k starts the day after stage k-1 ends
 * (research starts on startOn) and lasts its rule's days.
 */
export function defaultPlan(startOn: string, rules: Pick<StageRule, 'stage' | 'days'>[]) {
  const out: { stage: number; planned_start: string; planned_end: string }[] = []
  let start = dayNumber(startOn)
  if (Number.isNaN(start)) return out
  for (const r of [...rules].sort((a, b) => a.stage - b.stage)) {
    const end = start + Math.max(1, r.days) - 1
    out.push({ stage: r.stage, planned_start: dayString(start), planned_end: dayString(end) })
    start = end + 1
  }
  return out
}

/** A plan's first problem: a stage ending before it starts or starting before the previous one. */
export function planProblem(plan: { stage: number; planned_start: string; planned_end: string }[]): { stage: number; what: 'order' | 'missing' } | null {
  let prevStart = -Infinity
  for (const p of plan) {
    const s = dayNumber(p.planned_start)
    const e = dayNumber(p.planned_end)
    if (Number.isNaN(s) || Number.isNaN(e)) return { stage: p.stage, what: 'missing' }
    if (e < s || s < prevStart) return { stage: p.stage, what: 'order' }
    prevStart = s
  }
  return null
}

export interface GanttBar {
  stage: number
  from: number // day number
  to: number // day number, inclusive
  late: boolean
  open: boolean // actual bar of a stage still in progress (ends today)
}

/**
 * The Gantt rows: per stage its planned bar and its actual bar (an unfinished stage runs to
 * today). An actual bar is late when it ended (or, still open, runs) past the planned end.
 */
export function ganttBars(stages: StageRow[], today: string): { planned: GanttBar[]; actual: GanttBar[]; min: number; max: number } {
  const t = dayNumber(today)
  const planned: GanttBar[] = []
  const actual: GanttBar[] = []
  let min = Infinity
  let max = -Infinity
  for (const s of stages) {
    const ps = dayNumber(s.planned_start)
    const pe = dayNumber(s.planned_end)
    if (!Number.isNaN(ps) && !Number.isNaN(pe)) {
      planned.push({ stage: s.stage, from: ps, to: pe, late: false, open: false })
      min = Math.min(min, ps)
      max = Math.max(max, pe)
    }
    const as = dayNumber(s.actual_start)
    if (!Number.isNaN(as)) {
      const ae = dayNumber(s.actual_end)
      const open = Number.isNaN(ae)
      const to = open ? Math.max(as, t) : ae
      const late = s.overdue || (!Number.isNaN(pe) && to > pe)
      actual.push({ stage: s.stage, from: as, to, late, open })
      min = Math.min(min, as)
      max = Math.max(max, to)
    }
  }
  if (!Number.isNaN(t)) {
    min = Math.min(min, t)
    max = Math.max(max, t)
  }
  if (!Number.isFinite(min)) min = max = t
  return { planned, actual, min, max }
}

/** The level of a 12-digit region code (same rule as the server's regioncode.LevelOf). */
export function levelOfCode(code: string): 'city' | 'county' | 'town' | 'village' | '' {
  if (!/^\d{12}$/.test(code)) return ''
  if (code.slice(9) !== '000') return 'village'
  if (code.slice(6, 9) !== '000') return 'town'
  if (code.slice(4, 6) !== '00') return 'county'
  return 'city'
}

const levels = ['village', 'town', 'county', 'city']

/**
 * The level a stage is signed at for a project: the rule's level, or the project's own level
 * when the project sits above it (a county's project signs its town stages at the county).
 */
export function signLevel(ruleLevel: string, projectRegion: string): string {
  const pl = levelOfCode(projectRegion)
  return levels.indexOf(pl) > levels.indexOf(ruleLevel) ? pl : ruleLevel
}

/**
 * Whether the user looks like the stage's signer (role in the rule, scope at the signing
 * level). Only decides whether the button is offered: the server judges.
 */
export function maySign(rule: Pick<StageRule, 'roles' | 'level'> | undefined, projectRegion: string, role: string, scope: string): boolean {
  if (!rule) return false
  if (!rule.roles.includes(role)) return false
  return levelOfCode(scope) === signLevel(rule.level, projectRegion)
}

/** The region code of the town a village belongs to. */
export function townOf(code: string): string {
  return /^\d{12}$/.test(code) ? code.slice(0, 9) + '000' : ''
}
