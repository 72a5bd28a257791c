//! What the standalone SVG charts share (the simulator's histograms, the audit's clock charts):
//! the document's opening with a white ground and a CJK font stack (so Chinese titles render),
//! text escaping, and the 1-2-5 steps their axes tick at. Byte for byte the same for the same
//! input.

use std::fmt::Write as _;

const FONTS: &str =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";

/// Opens an SVG document of `width` × `height` on a white ground (close it with `</svg>`).
pub(crate) fn open(svg: &mut String, width: f64, height: f64) {
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONTS}" font-size="13">"#
    );
    let _ = writeln!(svg, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
}

/// `text` safe inside an element or an attribute.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A step of 1, 2 or 5 times a power of ten, at least `raw` (1 for nothing to step over).
pub(crate) fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 {
        return 1.0;
    }
    let power = 10_f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|factor| factor * power).find(|step| *step >= raw).unwrap_or(10.0 * power)
}

/// [`nice_step`] in whole units, at least 1.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn nice_whole_step(raw: f64) -> i64 {
    nice_step(raw).max(1.0) as i64
}

#[cfg(test)]
mod tests {
    use super::{escape, nice_step, nice_whole_step};

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        let close = |left: f64, right: f64| (left - right).abs() < 1e-12;
        assert!(close(nice_step(0.0), 1.0));
        assert!(close(nice_step(0.03), 0.05));
        assert!(close(nice_step(3.0), 5.0));
        assert!(close(nice_step(11.0), 20.0));
        assert_eq!(nice_whole_step(0.4), 1);
        assert_eq!(nice_whole_step(130.0), 200);
        assert_eq!(escape(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
