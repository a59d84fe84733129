// Charts through Chart.js (vendor/chart.umd.min.js, loaded as a classic script). One chart per
// canvas: drawing again replaces the old chart. No animation, so a chart is complete as soon as
// it is drawn (and screenshots are stable).

const palette = ['#1d4e89', '#d1495b', '#00798c', '#edae49', '#66a182', '#6b4c9a', '#8d6346', '#2e4057'];
const charts = new WeakMap();

export function colour(index) { return palette[index % palette.length]; }

/// A bar chart on `canvas`: `labels` along the axis, one dataset per {label, data}.
/// options: {horizontal, stacked, percent, format(value)}.
export function bar_chart(canvas, labels, datasets, options = {}) {
  charts.get(canvas)?.destroy();
  const format = options.format || ((value) => value);
  const value_axis = {beginAtZero: true, stacked: !!options.stacked,
                      ticks: {callback: (value) => format(value)}};
  const label_axis = {stacked: !!options.stacked, ticks: {autoSkip: true, maxRotation: 60}};
  const chart = new window.Chart(canvas, {
    type: 'bar',
    data: {labels, datasets: datasets.map((set, index) => ({
      ...set, backgroundColor: colour(index), borderColor: colour(index)}))},
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: options.horizontal ? 'y' : 'x',
      scales: options.horizontal ? {x: value_axis, y: label_axis} : {x: label_axis, y: value_axis},
      plugins: {
        legend: {display: datasets.length > 1, position: 'bottom'},
        tooltip: {callbacks: {label: (item) => `${item.dataset.label}: ${format(item.raw)}`}},
      },
    },
  });
  charts.set(canvas, chart);
  return chart;
}

/// A canvas in a sized box, described for screen readers (the table below carries the data).
export function chart_canvas(description) {
  const box = document.createElement('div');
  box.className = 'chart-box';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', description);
  box.append(canvas);
  return {box, canvas};
}
