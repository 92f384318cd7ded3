/* Grid colours fitted to the data shown: class breaks at the quantiles of the current area's
 * values (so a county whose grids all score 9–15 still shows its differences), one colour
 * per class from a light-to-dark ramp, and the breaks written in the legend. */

// Up to `classes` classes: the breaks are the quantile values (a value v is in class i when
// breaks[i - 1] <= v < breaks[i]); ties collapse, so a field of few distinct values gets as
// many classes as it has values, never an empty one.
export function quantileBreaks(values, classes) {
  const sorted = values.filter(function (v) { return typeof v === "number" && isFinite(v); })
    .sort(function (a, b) { return a - b; });
  const breaks = [];
  if (sorted.length < 2) return breaks;
  for (let k = 1; k < classes; k++) {
    const b = sorted[Math.min(sorted.length - 1, Math.floor(k * sorted.length / classes))];
    if (b > sorted[0] && (!breaks.length || b > breaks[breaks.length - 1])) breaks.push(b);
  }
  return breaks;
}

// The colours of n classes, spread over the ramp from its light end to its dark end.
export function classColours(ramp, n) {
  if (n <= 1) return [ramp[Math.floor(ramp.length / 2)]];
  const out = [];
  for (let i = 0; i < n; i++) out.push(ramp[Math.round(i * (ramp.length - 1) / (n - 1))]);
  return out;
}

export function fitted(values, ramp, classes) {
  const breaks = quantileBreaks(values, classes || 5);
  return {breaks: breaks, colours: classColours(ramp, breaks.length + 1)};
}

export function classOf(scale, value) {
  let i = 0;
  while (i < scale.breaks.length && value >= scale.breaks[i]) i++;
  return i;
}

// "< 12", "12 – 18", "≥ 30" for each class, numbers shown with `format`.
export function classLabels(scale, format) {
  const b = scale.breaks;
  if (!b.length) return [""];
  return scale.colours.map(function (c, i) {
    if (i === 0) return "< " + format(b[0]);
    if (i === b.length) return "≥ " + format(b[b.length - 1]);
    return format(b[i - 1]) + " – " + format(b[i]);
  });
}
