// Pure helpers of the 资金 console: rates, the fund form's own checks (named like the server's
// field errors), the Sankey's data, idle-money severity and the fund's expected schedule.
import type { FundInput, FundTrace, ItemInput, StatementEntry, TraceNode, TransferKind } from '../api/funds'
import { parseYuan } from './money'

/** 0.7345 → "73.5%"; null, NaN → "—". Rates above 1 (over-paid) still show as they are. */
export function formatRate(r: number | null | undefined, digits = 1): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—'
  const k = 10 ** digits
  return (Math.round(r * 100 * k + 1e-9) / k).toFixed(digits) + '%'
}

/** part / whole as a 0..1 rate, 0 when whole is 0. */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0
}

/** YYYY (from 2000) or YYYY-MM, as the ledger's payment period. */
export function validPeriod(s: string): boolean {
  if (/^\d{4}$/.test(s)) return s >= '2000'
  const m = /^(\d{4})-(\d{2})$/.exec(s)
  return !!m && m[1] >= '2000' && m[2] >= '01' && m[2] <= '12'
}

export const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s + 'T00:00:00Z'))

export function emptyItem(): ItemInput {
  return { code: '', name: '', basis: 'household', standard_yuan: '' }
}

export function emptyFund(year: number, region: string, today: string): FundInput {
  return {
    code: '',
    name: '',
    source_level: 'central',
    category: 'fiscal',
    year,
    doc_no: '',
    amount_yuan: '',
    purpose: '',
    region_code: region,
    via_city: true,
    received_on: today,
    deadline: `${year}-12-31`,
    items: [emptyItem()],
  }
}

/** An amount field's problem (an i18n key), or '' when it is a positive amount with ≤ 2 decimals. */
export function amountError(s: string): string {
  if (!s.trim()) return 'funds.err.amountRequired'
  const fen = parseYuan(s)
  if (fen === null) return 'funds.err.amountFormat'
  if (fen <= 0) return 'funds.err.amountPositive'
  return ''
}

/**
 * The fund form's own checks before it is sent: i18n keys by the server's field names
 * (items[0].standard_yuan …), so the server's errors land on the same fields.
 */
export function fundErrors(f: FundInput): Record<string, string> {
  const e: Record<string, string> = {}
  if (!f.code.trim()) e.code = 'funds.err.required'
  if (!f.name.trim()) e.name = 'funds.err.required'
  if (!f.region_code) e.region_code = 'funds.err.required'
  const a = amountError(f.amount_yuan)
  if (a) e.amount_yuan = a
  if (!isDate(f.received_on)) e.received_on = 'funds.err.date'
  if (!isDate(f.deadline)) e.deadline = 'funds.err.date'
  else if (isDate(f.received_on) && f.deadline < f.received_on) e.deadline = 'funds.err.deadlineBefore'
  const codes = new Set<string>()
  f.items.forEach((it, i) => {
    const p = `items[${i}].`
    if (!it.code.trim()) e[p + 'code'] = 'funds.err.required'
    else if (codes.has(it.code.trim())) e[p + 'code'] = 'funds.err.duplicateCode'
    codes.add(it.code.trim())
    if (!it.name.trim()) e[p + 'name'] = 'funds.err.required'
    const s = amountError(it.standard_yuan)
    if (s) e[p + 'standard_yuan'] = s
  })
  return e
}

/** The form as the API wants it: trimmed text, amounts without grouping or ¥. */
export function normalizeFund(f: FundInput): FundInput {
  const yuan = (s: string) => s.trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  return {
    ...f,
    code: f.code.trim(),
    name: f.name.trim(),
    doc_no: f.doc_no.trim(),
    purpose: f.purpose.trim(),
    amount_yuan: yuan(f.amount_yuan),
    items: f.items.map((it) => ({ code: it.code.trim(), name: it.name.trim(), basis: it.basis, standard_yuan: yuan(it.standard_yuan) })),
  }
}

export interface SankeyData {
  nodes: { name: string; label: string; kind: string; depth?: number; node: TraceNode }[]
  links: { source: string; target: string; value: number; count: number }[]
}

/**
 * The trace as ECharts Sankey data. Node names must be unique there, so the node's key is
 * the name and its text the label; links without money (fully reversed) and self-loops are
 * left out, and so are nodes no link touches except the fund's source.
 */
export function sankeyData(tr: Pick<FundTrace, 'nodes' | 'links'>): SankeyData {
  const nodes = tr.nodes ?? []
  const byKey = new Map(nodes.map((n) => [n.key, n]))
  const links = (tr.links ?? [])
    .filter((l) => l.amount_fen > 0 && l.source !== l.target && byKey.has(l.source) && byKey.has(l.target))
    .map((l) => ({ source: l.source, target: l.target, value: l.amount_fen, count: l.count }))
  const used = new Set(links.flatMap((l) => [l.source, l.target]))
  return {
    nodes: nodes
      .filter((n) => used.has(n.key) || n.kind === 'source')
      .map((n) => ({ name: n.key, label: n.name, kind: n.kind, node: n })),
    links,
  }
}

/** Idle money: ≥ 180 days serious, ≥ 90 warning, ≥ 30 notice, else none. */
export function idleLevel(days: number | null | undefined): '' | 'notice' | 'warning' | 'danger' {
  if (!days || days < 30) return ''
  if (days >= 180) return 'danger'
  if (days >= 90) return 'warning'
  return 'notice'
}

/** Element Plus tag type of a transfer kind. */
export function kindTag(kind: TransferKind | string): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (kind) {
    case 'allocate':
      return 'primary'
    case 'payment':
      return 'success'
    case 'reversal':
      return 'danger'
    default:
      return 'info'
  }
}

/** Colour of a score: ≥ 85 good, ≥ 60 fair, else poor. */
export function scoreLevel(score: number): 'good' | 'fair' | 'poor' {
  if (score >= 85) return 'good'
  if (score >= 60) return 'fair'
  return 'poor'
}

/** The statement's total of entries not reversed, in fen. */
export function statementTotal(entries: Pick<StatementEntry, 'amount_fen' | 'reversed'>[]): number {
  return entries.reduce((s, e) => (e.reversed ? s : s + e.amount_fen), 0)
}

/** The calendar year in Asia/Shanghai. */
export function yearShanghai(now = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now))
}
