//! `histogram_svg`: the distributions of total working days of a run's workflows, overlaid as
//! histograms with their p50 and p90 marked, labelled axes and a legend, as a standalone SVG. Our
//! own small writer (a plotting crate would need system fonts): a few `<rect>`, `<line>` and `<text>` elements, byte for
//! byte the same for the same run. Text is UTF-8 with a CJK font stack, so Chinese titles render.

use std::fmt::Write as _;

use super::histogram::Histogram;
use super::svg_document::{escape, nice_step, open};

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 560.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
/// Above the plot: the title, then one legend line per series.
const TITLE_HEIGHT: f64 = 48.0;
const LEGEND_LINE: f64 = 20.0;
const BOTTOM: f64 = 80.0;
/// Bars wanted across the range of values.
const BINS_WANTED: i64 = 40;
const COLOURS: [&str; 6] = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"];
/// One series: its label and its histogram.
pub struct Series<'a> {
    pub label: String,
    pub histogram: &'a Histogram,
}

/// The chart, titled `title`.
#[allow(clippy::too_many_lines)] // one pass over the picture, top to bottom
pub fn histogram_svg(title: &str, series: &[Series<'_>]) -> String {
    let low = series.iter().filter_map(|one| one.histogram.bins().next().map(|(value, _)| value)).min().unwrap_or(0);
    let high = series.iter().filter_map(|one| one.histogram.percentile(100)).max().unwrap_or(1).max(low + 1);
    let bin = (nice_step((high - low + 1) as f64 / BINS_WANTED as f64) as i64).max(1);
    let start = low.div_euclid(bin) * bin;
    let end = (high.div_euclid(bin) + 1) * bin;
    let bins = ((end - start) / bin) as usize;
    // Each series' share of cases per bin.
    let shares: Vec<Vec<f64>> = series
        .iter()
        .map(|one| {
            let mut counts = vec![0_u64; bins];
            for (value, count) in one.histogram.bins() {
                counts[((value - start) / bin) as usize] += count;
            }
            let total = one.histogram.count().max(1) as f64;
            counts.iter().map(|count| *count as f64 / total).collect()
        })
        .collect();
    let top_share = shares.iter().flatten().copied().fold(0.0, f64::max).max(1e-9);
    let y_step = nice_step(top_share / 5.0);
    let y_max = (top_share / y_step).ceil() * y_step;
    let top = TITLE_HEIGHT + LEGEND_LINE * series.len() as f64 + 12.0;
    let height = HEIGHT + LEGEND_LINE * series.len() as f64;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = height - top - BOTTOM;
    let x = |value: f64| LEFT + (value - start as f64) / (end - start) as f64 * plot_width;
    let y = |share: f64| top + plot_height - share / y_max * plot_height;
    let mut svg = String::new();
    open(&mut svg, WIDTH, height);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="32" text-anchor="middle" font-size="18" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(title)
    );
    // Grid and y ticks.
    let mut tick = 0.0;
    while tick <= y_max + y_step / 2.0 {
        let at = y(tick);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{at:.1}" x2="{:.1}" y2="{at:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{:.0} %</text>"##,
            WIDTH - RIGHT,
            LEFT - 8.0,
            at + 4.0,
            tick * 100.0
        );
        tick += y_step;
    }
    // Bars, series by series, half transparent so they overlay.
    for (index, one) in shares.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        for (bar, share) in one.iter().enumerate() {
            if *share <= 0.0 {
                continue;
            }
            let from = x((start + bar as i64 * bin) as f64);
            let width = (x((start + (bar as i64 + 1) * bin) as f64) - from - 1.0).max(1.0);
            let _ = writeln!(
                svg,
                r#"<rect x="{from:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.55"/>"#,
                y(*share),
                y(0.0) - y(*share)
            );
        }
    }
    // Axes and x ticks.
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#333333"/><line x1="{LEFT}" y1="{top:.1}" x2="{LEFT}" y2="{0:.1}" stroke="#333333"/>"##,
        y(0.0),
        WIDTH - RIGHT
    );
    let x_step = nice_step((end - start) as f64 / 8.0).max(1.0) as i64;
    let mut value = start.div_euclid(x_step) * x_step;
    while value <= end {
        if value >= start {
            let at = x(value as f64);
            let _ = writeln!(
                svg,
                r##"<line x1="{at:.1}" y1="{0:.1}" x2="{at:.1}" y2="{1:.1}" stroke="#333333"/><text x="{at:.1}" y="{2:.1}" text-anchor="middle">{value}</text>"##,
                y(0.0),
                y(0.0) + 5.0,
                y(0.0) + 20.0
            );
        }
        value += x_step;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="14">总工作日（自受理至办结，working days from opening to the end）</text>"#,
        LEFT + plot_width / 2.0,
        height - 28.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle" font-size="14">案件占比（share of cases）</text>"#,
        top + plot_height / 2.0
    );
    // p50 and p90 of each series, and the legend.
    for (index, one) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        for (percent, dash, row) in [(50, "6 4", 0.0), (90, "2 3", 1.0)] {
            let Some(mark) = one.histogram.percentile(percent) else { continue };
            let at = x(mark as f64 + 0.5);
            let label_y = top + 14.0 + (index as f64 * 2.0 + row) * 15.0;
            let _ = writeln!(
                svg,
                r#"<line x1="{at:.1}" y1="{top:.1}" x2="{at:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{:.1}" y="{label_y:.1}" fill="{colour}">p{percent} {mark}</text>"#,
                y(0.0),
                at + 4.0
            );
        }
        let legend_y = TITLE_HEIGHT + 14.0 + index as f64 * LEGEND_LINE;
        let legend_x = LEFT;
        let _ = writeln!(
            svg,
            r#"<rect x="{legend_x:.1}" y="{:.1}" width="14" height="14" fill="{colour}" fill-opacity="0.55"/><text x="{:.1}" y="{legend_y:.1}">{} ({} cases; dashed: p50, dotted: p90)</text>"#,
            legend_y - 11.0,
            legend_x + 20.0,
            escape(&one.label),
            one.histogram.count()
        );
    }
    let _ = writeln!(svg, "</svg>");
    svg
}
