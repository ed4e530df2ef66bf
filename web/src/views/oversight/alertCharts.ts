// The alert list's two charts as ECharts options, built from the figures alone: the heat
// matrix of child regions by light or category, and the 12-month raised/closed trend.
import type { EChartsCoreOption } from 'echarts/core'
import { lightColors, monthLabel } from './oversight'
import { palette } from './useChart'

export interface HeatMatrix {
  columns: string[]
  regions: { code: string; name: string }[]
  values: number[][]
}

// Each column in its own colour (a light's, or blue for categories), deeper with the count:
// the matrix reads like a heat map of the child regions.
const categoryColor = '#1a5296'

export function mix(hex: string, share: number): string {
  const n = parseInt(hex.slice(1), 16)
  const ch = (v: number) => Math.round(255 - (255 - v) * share)
  return `rgb(${ch(n >> 16)}, ${ch((n >> 8) & 255)}, ${ch(n & 255)})`
}

export function heatOption(h: HeatMatrix, mode: 'light' | 'category', colName: (c: string) => string): EChartsCoreOption {
  const max = Math.max(1, ...h.values.flat())
  const data = h.values.flatMap((row, y) =>
    row.map((v, x) => {
      const base = mode === 'light' ? lightColors[h.columns[x]] : categoryColor
      const share = v ? 0.18 + 0.82 * (v / max) : 0.04
      return { value: [x, y, v], itemStyle: { color: mix(base, share) }, label: { color: share > 0.55 ? '#fff' : '#1f2d3d' } }
    }),
  )
  return {
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) => `${h.regions[p.value[1]].name}<br/>${colName(h.columns[p.value[0]])}：<b>${p.value[2]}</b>`,
    },
    grid: { left: 8, right: 8, top: 26, bottom: 4, containLabel: true },
    xAxis: { type: 'category', position: 'top', data: h.columns.map(colName), splitArea: { show: false }, axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: palette.axis, fontWeight: 600 } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: h.regions.map((r) => r.name),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { color: palette.axis, formatter: (v: string) => (v.length > 10 ? v.slice(0, 9) + '…' : v) },
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: true, fontSize: 12, formatter: (p: { value: [number, number, number] }) => (p.value[2] ? String(p.value[2]) : '·') },
        itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 2 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,.25)' } },
      },
    ],
  }
}

export function trendOption(tr: { month: string; raised: number; closed: number }[], raised: string, closed: string): EChartsCoreOption {
  return {
    color: [palette.orange, palette.green],
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, data: [raised, closed] },
    grid: { left: 8, right: 12, top: 30, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: tr.map((p, i) => monthLabel(p.month, i)), axisLabel: { color: palette.axis, fontSize: 11 }, axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: palette.split } }, axisLabel: { color: palette.axis } },
    series: [
      { name: raised, type: 'bar', barMaxWidth: 16, data: tr.map((p) => p.raised) },
      { name: closed, type: 'line', smooth: true, symbolSize: 5, data: tr.map((p) => p.closed), areaStyle: { opacity: 0.08 } },
    ],
  }
}
