// Pure helpers of the 精准监督 screens: an alert's evidence JSON laid out as descriptions and
// tables, lights and rates in words, and the small sums the figures need.
import { formatYuan } from '../../utils/format'

export type Cell = string | number | boolean | null

export interface EvidenceTable {
  key: string // the path of the array in the evidence ("" when the evidence is the array)
  columns: string[]
  rows: Record<string, Cell>[]
}

export interface EvidenceLayout {
  scalars: { key: string; value: Cell }[]
  tables: EvidenceTable[]
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

// A nested value in one cell: scalars as they are, arrays of scalars joined, anything else
// as compact JSON.
function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => String(x ?? '')).join('、')
  return JSON.stringify(v)
}

/**
 * layoutEvidence turns an alert's evidence (JSON, or its text) into what the detail page shows:
 * scalars as description rows ("a.b" for nested objects), arrays of objects as tables (the
 * union of their keys, in first-seen order), arrays of scalars as one joined description.
 * Text that is not JSON is shown as one description.
 */
export function layoutEvidence(evidence: unknown): EvidenceLayout {
  const out: EvidenceLayout = { scalars: [], tables: [] }
  let v = evidence
  if (typeof v === 'string') {
    const s = v.trim()
    if (!s) return out
    try {
      v = JSON.parse(s)
    } catch {
      out.scalars.push({ key: '', value: s })
      return out
    }
  }
  walk(v, '', out, 0)
  return out
}

function walk(v: unknown, path: string, out: EvidenceLayout, depth: number) {
  if (v === null || v === undefined) {
    if (path) out.scalars.push({ key: path, value: null })
    return
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(isPlain)) {
      const columns: string[] = []
      for (const row of v) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k)
      out.tables.push({ key: path, columns, rows: v.map((row) => Object.fromEntries(columns.map((c) => [c, cell(row[c])]))) })
      return
    }
    out.scalars.push({ key: path, value: cell(v) })
    return
  }
  if (isPlain(v)) {
    if (depth > 3) {
      out.scalars.push({ key: path, value: cell(v) })
      return
    }
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, out, depth + 1)
    return
  }
  out.scalars.push({ key: path, value: cell(v) })
}

/** The last part of an evidence key ("payments.amount_fen" → "amount_fen"): what names it. */
export const leafKey = (key: string) => key.slice(key.lastIndexOf('.') + 1)

/**
 * A value of the evidence as text: money (a key ending in _fen) in yuan, booleans as 是/否
 * (the caller's words), null as a dash.
 */
export function evidenceValue(key: string, v: Cell, yes = '是', no = '否'): string {
  if (v === null || v === '') return '—'
  if (typeof v === 'boolean') return v ? yes : no
  if (/(^|_)fen$/.test(leafKey(key)) && typeof v === 'number') return formatYuan(v)
  return String(v)
}

/** A 0–1 rate as a percentage with one decimal ("87.5%"); a dash when there is nothing to rate. */
export function percent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  return (Math.round(rate * 100 * 10 ** digits) / 10 ** digits).toFixed(digits) + '%'
}

export const lightColors: Record<string, string> = { yellow: '#e6a23c', orange: '#f07c24', red: '#c8161d' }

/** The light a pending alert shows, worst first when sorting. */
export const lightRank = (l: string) => ({ red: 3, orange: 2, yellow: 1 })[l] ?? 0

/** Yuan for a chart's axis: 万 above ten thousand yuan, else whole yuan. */
export function compactYuan(fen: number): string {
  const yuan = fen / 100
  if (Math.abs(yuan) >= 1e8) return (yuan / 1e8).toFixed(2) + '亿'
  if (Math.abs(yuan) >= 1e4) return (yuan / 1e4).toFixed(Math.abs(yuan) >= 1e6 ? 0 : 1) + '万'
  return Math.round(yuan).toString()
}

/** "2026-05" → "5月" (or "2026-05" when the month starts a year, so the axis shows the year). */
export function monthLabel(m: string, i: number): string {
  const mm = /^(\d{4})-(\d{2})$/.exec(m)
  if (!mm) return m
  return i === 0 || mm[2] === '01' ? `${mm[1]}-${mm[2]}` : `${Number(mm[2])}月`
}

/** The actions a handler may take on an alert in a status. */
export function nextActions(status: string): ('assign' | 'verify' | 'close')[] {
  switch (status) {
    case 'open':
      return ['assign', 'close']
    case 'assigned':
      return ['assign', 'verify', 'close']
    case 'verifying':
      return ['close']
    default:
      return []
  }
}
