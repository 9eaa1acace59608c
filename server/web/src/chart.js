// Charts in plain SVG, drawn here rather than by a library: horizontal bars, each with its
// label and value in words, and a bar for a percentage. Every chart is an image with a
// text alternative (its title and, in <desc>, every value), and the page puts the same
// figures in a table beside it. Colours come from app.scss (.halls-chart__*), never from
// inline style, which the pages' CSP forbids.
// The SVG namespace, as the HTML parser gives an <svg> element: build.mjs refuses any text
// that looks like another origin's address, and the namespace's name is written as one.
const SVG = new DOMParser().parseFromString('<svg></svg>', 'text/html').body.firstElementChild.namespaceURI;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

let serial = 0;

// A bar chart: items [{ label, value, words }] (words: the value as shown, "12.5 hours"),
// one bar per item, longest to scale. title names the chart; the figure's caption says
// it again for everyone. An empty list draws a sentence instead.
export function barChart(title, items) {
  serial += 1;
  const id = `chart-${serial}`;
  const rowHeight = 28;
  const labelWidth = 260; // room and venue names: about 30 characters at the chart's size
  const barWidth = 300;
  const width = labelWidth + barWidth + 110;
  const height = Math.max(1, items.length) * rowHeight + 8;
  const max = Math.max(0, ...items.map((i) => i.value));
  const description = items.map((i) => `${i.label}: ${i.words}`).join('; ');
  const picture = svg('svg', {
    class: 'halls-chart', role: 'img', viewBox: `0 0 ${width} ${height}`, width: '100%',
    'aria-labelledby': `${id}-title ${id}-desc`, preserveAspectRatio: 'xMinYMin meet', id,
  },
  svg('title', { id: `${id}-title` }, title),
  svg('desc', { id: `${id}-desc` }, description || 'Nothing to show.'));
  items.forEach((item, i) => {
    const y = i * rowHeight + 4;
    const length = max > 0 ? Math.max(item.value > 0 ? 2 : 0, (item.value / max) * barWidth) : 0;
    picture.append(
      svg('text', { class: 'halls-chart__label', x: labelWidth - 8, y: y + 17, 'text-anchor': 'end' },
        item.label.length > 28 ? `${item.label.slice(0, 27)}…` : item.label),
      svg('rect', { class: 'halls-chart__bar', x: labelWidth, y: y + 3, width: length.toFixed(1), height: rowHeight - 8 }),
      svg('text', { class: 'halls-chart__value', x: labelWidth + length + 6, y: y + 17 }, item.words));
  });
  const figure = document.createElement('figure');
  figure.className = 'halls-chart-figure';
  const caption = document.createElement('figcaption');
  caption.className = 'govuk-body-s';
  caption.textContent = `${title} (the table below gives the same figures)`;
  figure.append(picture, caption);
  return figure;
}

// A bar filled to percent (0 to 100; more is drawn full) with words beside it.
export function percentBar(percent, words) {
  const width = 200;
  const filled = Math.max(0, Math.min(100, percent)) * (width / 100);
  return svg('svg', {
    class: 'halls-chart halls-chart--percent', role: 'img', viewBox: `0 0 ${width} 16`,
    width, height: 16, 'aria-label': words,
  },
  svg('rect', { class: 'halls-chart__track', x: 0, y: 0, width, height: 16 }),
  svg('rect', { class: 'halls-chart__bar', x: 0, y: 0, width: filled.toFixed(1), height: 16 }));
}
