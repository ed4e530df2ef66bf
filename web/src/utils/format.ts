// Money is integer fen on the wire; it is shown as yuan with two decimals.
// Integer arithmetic only, so 0.1 + 0.2 never shows up as 0.30000000000000004.
export function formatYuan(fen: number | null | undefined, grouping = true): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—'
  const n = Math.trunc(fen)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  let yuan = String(Math.floor(abs / 100))
  const cents = String(abs % 100).padStart(2, '0')
  if (grouping) yuan = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${yuan}.${cents}`
}

// Times are UTC RFC 3339 on the wire and shown in Asia/Shanghai, whatever the
// browser's own time zone, as "YYYY-MM-DD HH:mm:ss".
const tz = 'Asia/Shanghai'
const dtf = new Intl.DateTimeFormat('en-CA', {
  timeZone: tz,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

export function formatDateTime(v: string | number | Date | null | undefined, withSeconds = true): string {
  if (v === null || v === undefined || v === '') return '—'
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  const p: Record<string, string> = {}
  for (const part of dtf.formatToParts(d)) p[part.type] = part.value
  const time = withSeconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`
  return `${p.year}-${p.month}-${p.day} ${time}`
}

// The calendar date in Asia/Shanghai of a time, "YYYY-MM-DD".
export function formatDate(v: string | number | Date | null | undefined): string {
  const s = formatDateTime(v)
  return s === '—' ? s : s.slice(0, 10)
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}
