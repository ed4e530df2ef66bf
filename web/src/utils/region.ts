// Region codes are 12-digit statistical division codes: city 4 significant
// digits, county 6, town 9, village 12 (the rest zeros). The chain from the
// root down to a code follows from the code itself.
const segments: [number, number][] = [
  [0, 4], // city (province + city)
  [4, 6], // county
  [6, 9], // town
  [9, 12], // village
]

export function ancestors(code: string): string[] {
  if (!/^\d{12}$/.test(code)) return [code]
  const out: string[] = []
  for (const [from, to] of segments) {
    if (from > 0 && /^0+$/.test(code.slice(from, to))) break
    out.push(code.slice(0, to).padEnd(12, '0'))
  }
  return out
}

// The level of a 12-digit code, from how many of its segments are set.
export function levelOf(code: string): 'city' | 'county' | 'town' | 'village' | '' {
  if (!/^\d{12}$/.test(code)) return ''
  return (['city', 'county', 'town', 'village'] as const)[ancestors(code).length - 1] ?? ''
}

// The cascader path from root to code, or [code] when code is not under root.
export function regionPath(code: string, root: string): string[] {
  if (!code) return []
  const chain = ancestors(code)
  const i = chain.indexOf(root)
  return i >= 0 ? chain.slice(i) : [code]
}
