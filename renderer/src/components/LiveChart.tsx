import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
}

/** A uPlot time chart whose data is replaced in place (no re-creation) as new columns arrive. */
export function LiveChart({ title, series, data, height = 180 }: { title: string; series: ChartSeries[]; data: number[][]; height?: number }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = container.current!;
    const chart = new uPlot(
      {
        title,
        width: Math.max(200, element.clientWidth),
        height,
        series: [{}, ...series.map((item) => ({ label: item.label, stroke: item.color, width: 2 }))],
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
      },
      data as uPlot.AlignedData,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; new data goes through setData below.
  }, [title, height, series.map((item) => item.label).join('|')]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <div ref={container} className="chart" role="img" aria-label={title} />;
}
