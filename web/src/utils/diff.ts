// Top-level keys whose values differ between an audit event's before and after.
export function changedKeys(before: unknown, after: unknown): Set<string> {
  const b = asObject(before)
  const a = asObject(after)
  const out = new Set<string>()
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (stable(b[k]) !== stable(a[k])) out.add(k)
  }
  return out
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

// JSON with sorted keys, so {a,b} and {b,a} compare equal.
export function stable(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return '[' + v.map(stable).join(',') + ']'
  const o = v as Record<string, unknown>
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + stable(o[k])).join(',') + '}'
}

// The before/after payload may come as an object or as a JSON string.
export function parseJSONish(v: unknown): unknown {
  if (typeof v !== 'string') return v
  try {
    return JSON.parse(v)
  } catch {
    return v
  }
}
