import { describe, expect, it } from 'vitest'
import { heatOption, mix, trendOption } from './alertCharts'

describe('alert charts', () => {
  it('mixes a colour toward white by share', () => {
    expect(mix('#1a5296', 1)).toBe('rgb(26, 82, 150)')
    expect(mix('#1a5296', 0)).toBe('rgb(255, 255, 255)')
  })

  it('deepens a heat cell with its count and labels zero as a dot', () => {
    const o = heatOption(
      { columns: ['red', 'yellow'], regions: [{ code: '320921000000', name: '响水县' }], values: [[4, 0]] },
      'light',
      (c) => c.toUpperCase(),
    ) as { xAxis: { data: string[] }; series: { data: { value: number[]; itemStyle: { color: string } }[]; label: { formatter: (p: { value: number[] }) => string } }[] }
    expect(o.xAxis.data).toEqual(['RED', 'YELLOW'])
    const [full, empty] = o.series[0].data
    expect(full.value).toEqual([0, 0, 4])
    expect(full.itemStyle.color).not.toBe(empty.itemStyle.color)
    expect(o.series[0].label.formatter({ value: [1, 0, 0] })).toBe('·')
    expect(o.series[0].label.formatter({ value: [0, 0, 4] })).toBe('4')
  })

  it('draws raised as bars and closed as a line', () => {
    const o = trendOption([{ month: '2026-01', raised: 3, closed: 1 }], '新增', '办结') as { series: { name: string; type: string; data: number[] }[] }
    expect(o.series.map((s) => [s.name, s.type, s.data])).toEqual([
      ['新增', 'bar', [3]],
      ['办结', 'line', [1]],
    ])
  })
})
