// Yuan as people type it ↔ integer fen as the API wants it. String arithmetic only:
// "0.1" is 10 fen, never 10.000000000000002.

// parseYuan reads "1234", "1,234.5", "¥ 12.30", "-3.05" as fen; null when empty or not a
// valid amount (more than two decimals is invalid, not rounded).
export function parseYuan(input: string | number | null | undefined): number | null {
  if (input === null || input === undefined) return null
  let s = String(input).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  if (s === '') return null
  let sign = 1
  if (s.startsWith('-')) {
    sign = -1
    s = s.slice(1)
  } else if (s.startsWith('+')) s = s.slice(1)
  const m = /^(\d*)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null
  const yuan = Number(m[1] || '0')
  const cents = Number((m[2] ?? '').padEnd(2, '0'))
  const fen = yuan * 100 + cents
  if (!Number.isSafeInteger(fen)) return null
  return sign * fen === 0 ? 0 : sign * fen
}

// fenToYuanInput is the editable text for an amount: "1234.50", no grouping; "" for null.
export function fenToYuanInput(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  const n = Math.trunc(fen)
  const abs = Math.abs(n)
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
