import { describe, expect, it } from 'vitest'
import {
  doubtTag,
  evidenceCell,
  evidenceColumns,
  formToParams,
  formatBytes,
  formatDuration,
  groupEvidence,
  jobPercent,
  maskID,
  paramSummary,
  paramsToForm,
  sameRules,
  validDeadlineDays,
} from './crosscheck'
import { menuFor } from './menu'
import type { EvidenceView, KindSpec, Rule } from '../api/crosscheck'

const tr = (k: string, n?: Record<string, unknown>) => `${k}${n ? ':' + Object.values(n).join(',') : ''}`

describe('rule thresholds between fen and yuan', () => {
  const names = ['min_value_fen', 'months', 'standard_fen', 'region_standard_fen', 'exclude_types', 'since', 'grace_days']
  it('shows fen as yuan and lists as text', () => {
    const f = paramsToForm(
      { min_value_fen: 5_000_000, months: 24, standard_fen: 81_000, region_standard_fen: { '320921': 85_050, '320900': 90_000 }, exclude_types: ['motorcycle', 'ebike'] },
      names,
    )
    expect(f.min_value_fen).toBe('50000.00')
    expect(f.standard_fen).toBe('810.00')
    expect(f.months).toBe('24')
    expect(f.exclude_types).toBe('motorcycle, ebike')
    expect(f.region_standard_fen).toBe('320900:900.00\n320921:850.50')
    expect(f.since).toBe('')
    expect(f.grace_days).toBe('')
  })
  it('reads yuan back as integer fen without float errors', () => {
    const { params, errors } = formToParams({ min_value_fen: '50,000.1', standard_fen: '0.29', months: '24', exclude_types: 'motorcycle，ebike、farm motorcycle' }, names)
    expect(errors).toEqual([])
    expect(params.min_value_fen).toBe(5_000_010)
    expect(params.standard_fen).toBe(29)
    expect(params.months).toBe(24)
    expect(params.exclude_types).toEqual(['motorcycle', 'ebike', 'farm'])
  })
  it('round-trips every default-like threshold', () => {
    const p = { min_value_fen: 10_000_000, line_fen: 1_234_567, months: 24, standard_fen: 81_000, grace_days: 30, since: '2024-01-01', max_count: 1 }
    const all = Object.keys(p)
    expect(formToParams(paramsToForm(p, all), all).params).toEqual(p)
  })
  it('drops empty and zero values (not used) and rejects bad input', () => {
    const { params, errors } = formToParams({ min_value_fen: '', months: '0', standard_fen: '12.345', grace_days: '-1', since: '2024/01/01', region_standard_fen: '320921 850' }, names)
    expect(params).toEqual({})
    expect(errors.map((e) => e.param).sort()).toEqual(['grace_days', 'region_standard_fen', 'since', 'standard_fen'])
    expect(errors.find((e) => e.param === 'standard_fen')?.key).toBe('cc.err.yuan')
  })
  it('reads region standards line by line with full-width colons', () => {
    const { params } = formToParams({ region_standard_fen: '320921：850\n320900=900.5' }, ['region_standard_fen'])
    expect(params.region_standard_fen).toEqual({ '320921': 85_000, '320900': 90_050 })
  })
  it('summarises thresholds in yuan', () => {
    expect(paramSummary({ min_value_fen: 5_000_000, months: 24, standard_fen: 81_000 }, tr)).toEqual([
      'cc.sum.minValue:50,000.00',
      'cc.sum.months:24',
      'cc.sum.standard:810.00',
    ])
    expect(paramSummary({}, tr)).toEqual([])
  })
  it('compares rule sets ignoring key order and empty params', () => {
    const a: Rule = { key: 'v', check: 'asset', kind: 'vehicle', label: 'x', scope: 'member', params: { exclude_types: ['a'] }, explain: 'e', enabled: true, data_error: false }
    const b = JSON.parse(JSON.stringify({ ...a, params: { include_types: [], exclude_types: ['a'] } }))
    expect(sameRules([a], [b])).toBe(true)
    expect(sameRules([a], [{ ...a, enabled: false }])).toBe(false)
    expect(sameRules([a], [{ ...a, params: { exclude_types: ['a'], min_value_fen: 1 } }])).toBe(false)
  })
})

describe('doubt status labels', () => {
  it('maps statuses to tags and lets overdue win', () => {
    expect(doubtTag({ status: 'open', overdue: false })).toEqual({ key: 'open', type: 'warning' })
    expect(doubtTag({ status: 'explained', overdue: false })).toEqual({ key: 'explained', type: 'success' })
    expect(doubtTag({ status: 'confirmed', overdue: false }).type).toBe('danger')
    expect(doubtTag({ status: 'dispatched', overdue: true })).toEqual({ key: 'overdue', type: 'danger' })
    expect(doubtTag({ status: 'something_new', overdue: false })).toEqual({ key: 'something_new', type: 'info' })
  })
  it('accepts deadlines of 1 to 90 days', () => {
    expect([0, 1, 15, 90, 91, 1.5].map(validDeadlineDays)).toEqual([false, true, true, true, false, false])
  })
})

describe('evidence formatting', () => {
  const spec: KindSpec = {
    kind: 'vehicle',
    label: '机动车登记',
    columns: [
      { name: 'id_number', label: '身份证号', required: true, type: 0 },
      { name: 'name', label: '姓名', required: true, type: 0 },
      { name: 'plate_no', label: '号牌号码', required: false, type: 0 },
      { name: 'vehicle_type', label: '车辆类型', required: true, type: 5 },
    ],
  }
  const ev = (dataset_id: number, line: number, fields: Record<string, string>): EvidenceView => ({
    dataset_id,
    kind: 'vehicle',
    kind_label: '机动车登记',
    source_dept: '公安',
    as_of: '2026-10-31',
    file_name: 'v.csv',
    line,
    fields,
  })
  it('orders columns as the kind does, skips empty ones, then the unknown ones', () => {
    const cols = evidenceColumns([ev(1, 3, { vehicle_type: '小型轿车', name: '张三', id_number: '320921199001011234', extra: 'x', plate_no: '', kind: 'vehicle' })], spec)
    expect(cols.map((c) => c.name)).toEqual(['id_number', 'name', 'vehicle_type', 'extra'])
    expect(cols[2].label).toBe('车辆类型')
    expect(cols[3].label).toBe('extra')
  })
  it('groups rows by dataset in line order', () => {
    const g = groupEvidence([ev(2, 9, {}), ev(1, 7, {}), ev(2, 4, {})])
    expect(g.map((x) => x.key)).toEqual(['2', '1'])
    expect(g[0].rows.map((r) => r.line)).toEqual([4, 9])
  })
  it('masks ID numbers like the server and shows empty cells as a dash', () => {
    expect(maskID('320921199001011234')).toBe('320921********1234')
    expect(evidenceCell('id_number', '320921199001011234', true)).toBe('320921********1234')
    expect(evidenceCell('id_number', '320921199001011234', false)).toBe('320921199001011234')
    expect(evidenceCell('name', '', true)).toBe('—')
    expect(evidenceCell('plate_no', undefined, true)).toBe('—')
  })
  it('formats sizes, durations and progress', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB')
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(245_000)).toBe('4 min 05 s')
    expect(jobPercent(50, 200)).toBe(25)
    expect(jobPercent(10, 0)).toBe(0)
    expect(jobPercent(300, 200)).toBe(100)
  })
})

describe('the 信息比对 menu group', () => {
  const keys = (perms: string[]) => menuFor(perms).map((m) => m.key).filter((k) => k.startsWith('cc-'))
  it('shows with doubt.read; the unauthorised list also needs household.read', () => {
    expect(keys(['doubt.read', 'household.read'])).toEqual(['cc-doubts', 'cc-runs', 'cc-datasets', 'cc-rules', 'cc-unauthorised'])
    expect(keys(['doubt.read'])).toEqual(['cc-doubts', 'cc-runs', 'cc-datasets', 'cc-rules'])
    expect(keys(['household.read', 'crosscheck.run'])).toEqual([])
  })
})
