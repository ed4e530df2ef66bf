// One ECharts instance bound to an element ref: created when there is something to draw,
// resized with the window, disposed with the component. The 精准监督 screens draw bars, lines
// and heat matrices.
import { onBeforeUnmount, onMounted, type Ref } from 'vue'
import { use, init, type ECharts, type EChartsCoreOption } from 'echarts/core'
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer])

export function useChart(el: Ref<HTMLElement | null>, onClick?: (p: { dataIndex: number; seriesIndex?: number; name: string; data: unknown }) => void) {
  let chart: ECharts | null = null
  const resize = () => chart?.resize()
  onMounted(() => window.addEventListener('resize', resize))
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    chart?.dispose()
    chart = null
  })
  return {
    /** Draws the option, or clears the chart when option is null. */
    draw(option: EChartsCoreOption | null) {
      if (!el.value || !option) {
        chart?.dispose()
        chart = null
        return
      }
      if (!chart || chart.getDom() !== el.value) {
        chart?.dispose()
        chart = init(el.value)
        if (onClick) chart.on('click', (p) => onClick(p as unknown as { dataIndex: number; seriesIndex?: number; name: string; data: unknown }))
      }
      chart.setOption(option, true)
      chart.resize()
    },
    resize,
  }
}

export const palette = {
  blue: '#1a5296',
  red: '#c8161d',
  orange: '#f07c24',
  yellow: '#e6a23c',
  green: '#2e7d4f',
  grey: '#909399',
  wine: '#8b1e3f',
  teal: '#1f8a8a',
  axis: '#4a5568',
  split: '#edf0f5',
}
