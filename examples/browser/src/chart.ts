/** A dependency-free SVG line chart of one series, redrawn whole on each point (it stays small). */
const SVG = 'http://www.w3.org/2000/svg';

export interface LineChart {
  push(x: number, y: number): void;
}

export function lineChart(svg: SVGSVGElement, label: string): LineChart {
  const width = svg.viewBox.baseVal.width || 640;
  const height = svg.viewBox.baseVal.height || 320;
  const pad = { left: 48, right: 12, top: 12, bottom: 28 };
  const points: [number, number][] = [];

  const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };

  function draw(): void {
    svg.replaceChildren();
    const xMax = Math.max(1, ...points.map((p) => p[0]));
    // FVU starts near 1; keep 0 on the axis so the fall reads honestly.
    const yMax = Math.max(1e-6, ...points.map((p) => p[1])) * 1.05;
    const sx = (x: number) => pad.left + (x / xMax) * (width - pad.left - pad.right);
    const sy = (y: number) => height - pad.bottom - (y / yMax) * (height - pad.top - pad.bottom);
    const axis = { stroke: '#888', 'stroke-width': '1' };
    svg.append(
      el('line', {
        x1: `${pad.left}`,
        y1: `${sy(0)}`,
        x2: `${width - pad.right}`,
        y2: `${sy(0)}`,
        ...axis,
      }),
    );
    svg.append(
      el('line', {
        x1: `${pad.left}`,
        y1: `${pad.top}`,
        x2: `${pad.left}`,
        y2: `${sy(0)}`,
        ...axis,
      }),
    );
    for (const frac of [0, 0.5, 1]) {
      const t = el('text', {
        x: `${pad.left - 6}`,
        y: `${sy(frac * yMax) + 4}`,
        'text-anchor': 'end',
        'font-size': '11',
      });
      t.textContent = (frac * yMax).toFixed(2);
      svg.append(t);
    }
    const xl = el('text', {
      x: `${(width + pad.left) / 2}`,
      y: `${height - 6}`,
      'text-anchor': 'middle',
      'font-size': '11',
    });
    xl.textContent = `step (max ${xMax})`;
    const yl = el('text', { x: `${pad.left + 6}`, y: `${pad.top + 10}`, 'font-size': '11' });
    yl.textContent = label;
    svg.append(xl, yl);
    if (points.length > 1) {
      const d = points
        .map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join('');
      svg.append(el('path', { d, fill: 'none', stroke: '#1f77b4', 'stroke-width': '2' }));
    }
  }

  draw();
  return {
    push(x, y) {
      points.push([x, y]);
      draw();
    },
  };
}
