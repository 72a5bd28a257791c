//! `clock_chart_svg`: one clock's elapsed time over the cases of an audit as a standalone SVG:
//! a histogram of cases by elapsed days, the statutory limit drawn as a labelled vertical line,
//! the bars past it in red and the share breached written out. Labels sit in a band above the
//! plot, so they never cover a bar. Byte for byte the same for the same figures.

use std::fmt::Write as _;

use super::report::ClockStats;
use crate::simulate::svg_document::{escape, nice_whole_step, open};

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 40.0;
/// The title, then the band where the labels go.
const TOP: f64 = 110.0;
const BOTTOM: f64 = 70.0;
/// Bars wanted across the range of values.
const BINS_WANTED: i64 = 40;
const WITHIN: &str = "#4c78a8";
const BREACHED: &str = "#e45756";
const NEUTRAL: &str = "#8c8c8c";
/// The chart of `stats` (a clock of `workflow`).
#[must_use]
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::too_many_lines)]
pub fn clock_chart_svg(workflow: &str, stats: &ClockStats) -> String {
    let elapsed = stats.elapsed();
    // A limit every case shares, in the elapsed unit; months, years and limits set per case end
    // on each case's own date, so no line can stand for them and the bars are not split.
    let limit = stats.limit_count();
    let low = elapsed.values().next().map_or(0, |(value, _)| value).min(0);
    let high = elapsed.max().unwrap_or(0).max(limit.unwrap_or(0) + 1).max(low + 1);
    let bin = nice_whole_step((high - low + 1) as f64 / BINS_WANTED as f64);
    let start = low.div_euclid(bin) * bin;
    let end = (high.div_euclid(bin) + 1) * bin;
    let bins = ((end - start) / bin) as usize;
    // Per bar: cases within the limit, cases over it.
    let mut counts = vec![(0_u64, 0_u64); bins];
    for (value, cases) in elapsed.values() {
        let bar = &mut counts[((value - start) / bin) as usize];
        if limit.is_some_and(|limit| value > limit) { bar.1 += cases } else { bar.0 += cases }
    }
    let top_count = counts.iter().map(|(within, over)| within + over).max().unwrap_or(0).max(1);
    let y_step = nice_whole_step(top_count as f64 / 5.0);
    let y_max = (top_count as f64 / y_step as f64).ceil() * y_step as f64;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x = |value: i64| LEFT + (value - start) as f64 / (end - start) as f64 * plot_width;
    let y = |count: f64| TOP + plot_height - count / y_max * plot_height;
    let mut svg = String::new();
    open(&mut svg, WIDTH, HEIGHT);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="30" text-anchor="middle" font-size="18" font-weight="bold">{} — clock {} ({} cases)</text>"#,
        WIDTH / 2.0,
        escape(workflow),
        escape(&stats.clock),
        stats.count
    );
    // Grid and y ticks.
    let mut tick = 0.0;
    while tick <= y_max {
        let at = y(tick);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{at:.1}" x2="{:.1}" y2="{at:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{tick:.0}</text>"##,
            WIDTH - RIGHT,
            LEFT - 8.0,
            at + 4.0
        );
        tick += y_step as f64;
    }
    for (bar, (within, over)) in counts.iter().enumerate() {
        let from = x(start + bar as i64 * bin);
        let width = (x(start + (bar as i64 + 1) * bin) - from - 1.0).max(1.0);
        let mut base = 0.0;
        let within_colour = if limit.is_some() { WITHIN } else { NEUTRAL };
        for (cases, colour) in [(*within, within_colour), (*over, BREACHED)] {
            if cases == 0 {
                continue;
            }
            let height = y(base) - y(base + cases as f64);
            let _ = writeln!(
                svg,
                r#"<rect x="{from:.1}" y="{:.1}" width="{width:.1}" height="{height:.1}" fill="{colour}"><title>{cases} cases</title></rect>"#,
                y(base + cases as f64)
            );
            base += cases as f64;
        }
    }
    // Axes and x ticks.
    let _ = writeln!(
        svg,
        r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#333333"/><line x1="{LEFT}" y1="{TOP:.1}" x2="{LEFT}" y2="{0:.1}" stroke="#333333"/>"##,
        y(0.0),
        WIDTH - RIGHT
    );
    let x_step = nice_whole_step((end - start) as f64 / 10.0);
    let mut value = start.div_euclid(x_step) * x_step;
    while value <= end {
        if value >= start {
            let at = x(value);
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
    let unit = if stats.unit == "wd" { "working days" } else { "calendar days" };
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="14">elapsed {unit} (bars of {bin})</text>"#,
        LEFT + plot_width / 2.0,
        HEIGHT - 22.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(24 {:.1}) rotate(-90)" text-anchor="middle" font-size="14">cases</text>"#,
        TOP + plot_height / 2.0
    );
    // The limit: a line from the label band down through the plot, the label in the band.
    if let Some(limit) = limit {
        let at = x(limit + 1).min(WIDTH - RIGHT);
        let _ = writeln!(
            svg,
            r##"<line x1="{at:.1}" y1="{:.1}" x2="{at:.1}" y2="{:.1}" stroke="#222222" stroke-width="2" stroke-dasharray="6 4"/>"##,
            TOP - 36.0,
            y(0.0)
        );
        // The label reads towards the side with more room.
        let (anchor, label_x) = if at > LEFT + plot_width / 2.0 { ("end", at - 6.0) } else { ("start", at + 6.0) };
        let _ = writeln!(
            svg,
            r#"<text x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}" font-weight="bold">statutory limit {}</text>"#,
            TOP - 24.0,
            escape(&stats.limit)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}" fill="{BREACHED}">breached: {} of {} cases ({:.1} %)</text>"#,
            TOP - 8.0,
            stats.breached,
            stats.count,
            stats.breach_rate * 100.0
        );
    }
    if limit.is_some() {
        let _ = writeln!(
            svg,
            r#"<rect x="{LEFT}" y="52" width="12" height="12" fill="{WITHIN}"/><text x="{:.1}" y="63">within the written limit</text><rect x="{:.1}" y="52" width="12" height="12" fill="{BREACHED}"/><text x="{:.1}" y="63">past it (an extension may have lengthened a case's own)</text>"#,
            LEFT + 18.0,
            LEFT + 190.0,
            LEFT + 208.0
        );
    } else {
        // No line: say why, and give the breaches counted against each case's own due date.
        let _ = writeln!(
            svg,
            r#"<rect x="{LEFT}" y="52" width="12" height="12" fill="{NEUTRAL}"/><text x="{:.1}" y="63">cases</text>"#,
            LEFT + 18.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-weight="bold">statutory limit {}: each case's ends on its own due date</text>"#,
            LEFT + 6.0,
            TOP - 24.0,
            escape(&stats.limit)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" fill="{BREACHED}">breached: {} of {} cases ({:.1} %)</text>"#,
            LEFT + 6.0,
            TOP - 8.0,
            stats.breached,
            stats.count,
            stats.breach_rate * 100.0
        );
    }
    let _ = writeln!(svg, "</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::{BREACHED, clock_chart_svg};
    use crate::audit::ClockStats;
    use crate::core::calendar::PeriodUnit;

    fn stats(limit: &str, unit: PeriodUnit, limit_count: Option<i64>) -> ClockStats {
        let mut stats = ClockStats::new("decision", limit.to_owned(), unit).with_limit_count(limit_count);
        for elapsed in [3, 12, 25, 25, 40] {
            stats.add(elapsed, false, false);
        }
        stats.settle();
        stats
    }

    #[test]
    fn a_written_limit_is_a_line_and_splits_the_bars() {
        let svg = clock_chart_svg("w", &stats("20 wd", PeriodUnit::WorkingDays, Some(20)));
        assert!(svg.contains("statutory limit 20 wd"), "{svg}");
        assert!(svg.contains(&format!(r#"fill="{BREACHED}"><title>"#)), "{svg}");
        assert!(svg.contains("stroke-dasharray"), "{svg}");
    }

    /// A year or a limit set per case ends on each case's own date: a line at "2" days would
    /// paint every case over a two-year limit red (the chart once did).
    #[test]
    fn a_limit_in_years_or_per_case_draws_no_line_and_splits_no_bars() {
        for (limit, unit) in
            [("2 years", PeriodUnit::CalendarDays), ("per case (decision_days cd)", PeriodUnit::CalendarDays)]
        {
            let svg = clock_chart_svg("w", &stats(limit, unit, None));
            assert!(svg.contains("each case's ends on its own due date"), "{svg}");
            assert!(!svg.contains(&format!(r#"fill="{BREACHED}"><title>"#)), "{svg}");
            assert!(!svg.contains("stroke-dasharray"), "{svg}");
            assert!(svg.contains("breached: 0 of 5 cases"), "{svg}");
        }
    }
}
