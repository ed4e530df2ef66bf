// Pure helpers of the cross-check screens (信息比对): rule thresholds between the wire
// (fen, days, lists) and the form (yuan, text), doubt status tags, evidence rows laid out
// by their dataset kind's columns, and small number formats.
import type { DoubtRow, EvidenceView, KindSpec, Rule, RuleParams } from '../api/crosscheck'
import { fenToYuanInput, parseYuan } from './money'
import { formatYuan } from './format'

export const doubtStatuses = ['open', 'dispatched', 'confirmed', 'explained', 'data_error'] as const

export const statusTag: Record<string, 'warning' | 'primary' | 'success' | 'info' | 'danger'> = {
  open: 'warning',
  dispatched: 'primary',
  confirmed: 'danger',
  explained: 'success',
  data_error: 'info',
}

// The tag a doubt shows: overdue wins over its status (it is escalated).
export function doubtTag(d: Pick<DoubtRow, 'status' | 'overdue'>): { key: string; type: 'warning' | 'primary' | 'success' | 'info' | 'danger' } {
  if (d.overdue) return { key: 'overdue', type: 'danger' }
  return { key: d.status, type: statusTag[d.status] ?? 'info' }
}

export const pending = (status: string) => status === 'open' || status === 'dispatched'

// The editable thresholds: how each Params field is shown and typed in.
export type ParamUnit = 'yuan' | 'months' | 'days' | 'count' | 'date' | 'types' | 'regionYuan'

export const paramUnits: Record<string, ParamUnit> = {
  min_value_fen: 'yuan',
  line_fen: 'yuan',
  standard_fen: 'yuan',
  region_standard_fen: 'regionYuan',
  months: 'months',
  grace_days: 'days',
  max_count: 'count',
  since: 'date',
  include_types: 'types',
  exclude_types: 'types',
}

// The form's text for each param of a rule (yuan with two decimals, lists comma-separated,
// region standards as "320921:810.00" lines).
export function paramsToForm(p: RuleParams, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const n of names) {
    const v = (p as Record<string, unknown>)[n]
    switch (paramUnits[n]) {
      case 'yuan':
        out[n] = typeof v === 'number' && v !== 0 ? fenToYuanInput(v) : ''
        break
      case 'regionYuan':
        out[n] = Object.entries((v as Record<string, number> | undefined) ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([code, fen]) => `${code}:${fenToYuanInput(fen)}`)
          .join('\n')
        break
      case 'types':
        out[n] = ((v as string[] | undefined) ?? []).join(', ')
        break
      case 'months':
      case 'days':
      case 'count':
        out[n] = typeof v === 'number' && v !== 0 ? String(v) : ''
        break
      default:
        out[n] = typeof v === 'string' ? v : ''
    }
  }
  return out
}

export interface ParamError {
  param: string
  key: string // i18n key
}

// Reads the form back into Params (fen, whole numbers, lists); empty means "not used".
// Errors name the param and an i18n key; the server validates again.
export function formToParams(form: Record<string, string>, names: readonly string[]): { params: RuleParams; errors: ParamError[] } {
  const params: Record<string, unknown> = {}
  const errors: ParamError[] = []
  for (const n of names) {
    const s = (form[n] ?? '').trim()
    if (s === '') continue
    switch (paramUnits[n]) {
      case 'yuan': {
        const fen = parseYuan(s)
        if (fen === null || fen < 0) errors.push({ param: n, key: 'cc.err.yuan' })
        else if (fen !== 0) params[n] = fen
        break
      }
      case 'regionYuan': {
        const m: Record<string, number> = {}
        for (const line of s.split(/[\n;；]+/)) {
          const l = line.trim()
          if (!l) continue
          const mm = /^(\d{2,12})\s*[:：=]\s*(.+)$/.exec(l)
          const fen = mm ? parseYuan(mm[2]) : null
          if (!mm || fen === null || fen <= 0) {
            errors.push({ param: n, key: 'cc.err.regionYuan' })
            break
          }
          m[mm[1]] = fen
        }
        if (Object.keys(m).length) params[n] = m
        break
      }
      case 'types': {
        const list = s
          .split(/[,，、\s]+/)
          .map((x) => x.trim())
          .filter(Boolean)
        if (list.length) params[n] = [...new Set(list)]
        break
      }
      case 'months':
      case 'days':
      case 'count': {
        if (!/^\d{1,6}$/.test(s)) errors.push({ param: n, key: 'cc.err.whole' })
        else if (Number(s) !== 0) params[n] = Number(s)
        break
      }
      case 'date':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) errors.push({ param: n, key: 'cc.err.date' })
        else params[n] = s
        break
      default:
        params[n] = s
    }
  }
  return { params: params as RuleParams, errors }
}

// A short human summary of a rule's thresholds for the table ("≥ 50,000.00 元; 24 个月").
export function paramSummary(p: RuleParams, tr: (key: string, named?: Record<string, unknown>) => string): string[] {
  const out: string[] = []
  const yuan = (fen: number) => formatYuan(fen)
  if (p.include_types?.length) out.push(tr('cc.sum.include', { v: p.include_types.join('、') }))
  if (p.exclude_types?.length) out.push(tr('cc.sum.exclude', { v: p.exclude_types.join('、') }))
  if (p.min_value_fen) out.push(tr('cc.sum.minValue', { v: yuan(p.min_value_fen) }))
  if (p.line_fen) out.push(tr('cc.sum.line', { v: yuan(p.line_fen) }))
  if (p.months) out.push(tr('cc.sum.months', { v: p.months }))
  if (p.standard_fen) out.push(tr('cc.sum.standard', { v: yuan(p.standard_fen) }))
  if (p.region_standard_fen && Object.keys(p.region_standard_fen).length)
    out.push(tr('cc.sum.regionStandard', { v: Object.keys(p.region_standard_fen).length }))
  if (p.max_count) out.push(tr('cc.sum.maxCount', { v: p.max_count }))
  if (p.grace_days) out.push(tr('cc.sum.grace', { v: p.grace_days }))
  if (p.since) out.push(tr('cc.sum.since', { v: p.since }))
  return out
}

// Rules compared for "changed?" (the save button), ignoring key order inside objects.
export function sameRules(a: Rule[], b: Rule[]): boolean {
  return canon(a) === canon(b)
}
function canon(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']'
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return (
      '{' +
      Object.keys(o)
        .filter((k) => o[k] !== undefined && !(Array.isArray(o[k]) && (o[k] as unknown[]).length === 0) && o[k] !== 0 && o[k] !== '')
        .sort()
        .map((k) => JSON.stringify(k) + ':' + canon(o[k]))
        .join(',') +
      '}'
    )
  }
  return JSON.stringify(v)
}

export interface EvidenceColumn {
  name: string
  label: string
}

// Fields the engine adds to evidence that the table shows elsewhere (the group's heading).
const hiddenFields = new Set(['kind'])

// The columns of an evidence table: the kind's columns in their order (only those present
// in some row), then any other field the rows carry, by name.
export function evidenceColumns(rows: Pick<EvidenceView, 'fields'>[], spec: KindSpec | undefined): EvidenceColumn[] {
  const present = new Set<string>()
  for (const r of rows) for (const [k, v] of Object.entries(r.fields ?? {})) if (v !== '' && !hiddenFields.has(k)) present.add(k)
  const out: EvidenceColumn[] = []
  for (const c of spec?.columns ?? []) {
    if (present.has(c.name)) {
      out.push({ name: c.name, label: c.label || c.name })
      present.delete(c.name)
    }
  }
  for (const k of [...present].sort()) out.push({ name: k, label: k })
  return out
}

// Evidence grouped by dataset, in the order they first appear.
export function groupEvidence(rows: EvidenceView[]): { key: string; first: EvidenceView; rows: EvidenceView[] }[] {
  const groups = new Map<string, { key: string; first: EvidenceView; rows: EvidenceView[] }>()
  for (const r of rows) {
    const key = `${r.dataset_id}`
    const g = groups.get(key)
    if (g) g.rows.push(r)
    else groups.set(key, { key, first: r, rows: [r] })
  }
  for (const g of groups.values()) g.rows.sort((a, b) => a.line - b.line)
  return [...groups.values()]
}

// Masks an ID number in an evidence field the way the API masks a member's (first 6, last 4)
// unless the reader sees it in full (the API gives the member's number masked then).
export function maskID(v: string): string {
  const s = v.trim()
  if (s.length < 11) return s
  return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4)
}

export function evidenceCell(col: string, value: string | undefined, masked: boolean): string {
  if (value === undefined || value === '') return '—'
  if (masked && (col === 'id_number' || col === 'cadre_id_number')) return maskID(value)
  return value
}

export const shortSha = (sha: string) => (sha ? sha.slice(0, 10) : '—')

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`
}

// "850 ms", "12.3 s", "4 min 05 s".
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}

export function jobPercent(read: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((read * 100) / total)))
}

// The deadline days a dispatch may ask for (server: 1..90, default 15).
export function validDeadlineDays(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 90
}
