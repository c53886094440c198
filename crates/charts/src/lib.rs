//! Metric charts for the go/no-go board, rendered in Rust with plotters: the series, its
//! threshold as a dashed line, the intervals that breach it shaded, and alarm state changes
//! marked. SVG for the UI, PNG for reports, in light or dark.

mod gantt;

pub use gantt::{render_gantt_png, GanttRow};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ChartError {
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
    #[error("the chart could not be encoded as PNG: {0}")]
    Encode(#[from] png::EncodingError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

struct Palette {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    lines: [RGBColor; 4],
    threshold: RGBColor,
    breach: RGBAColor,
    alarm: RGBColor,
    ok: RGBColor,
}

fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette {
            background: RGBColor(255, 255, 255),
            text: RGBColor(27, 34, 48),
            grid: RGBColor(226, 230, 236),
            lines: [
                RGBColor(31, 95, 209),
                RGBColor(0, 137, 123),
                RGBColor(142, 68, 173),
                RGBColor(191, 96, 0),
            ],
            threshold: RGBColor(198, 47, 47),
            breach: RGBColor(198, 47, 47).mix(0.15),
            alarm: RGBColor(214, 118, 0),
            ok: RGBColor(30, 142, 62),
        },
        Theme::Dark => Palette {
            background: RGBColor(26, 32, 41),
            text: RGBColor(227, 232, 239),
            grid: RGBColor(44, 52, 64),
            lines: [
                RGBColor(91, 141, 239),
                RGBColor(77, 208, 190),
                RGBColor(196, 140, 230),
                RGBColor(240, 160, 80),
            ],
            threshold: RGBColor(239, 106, 106),
            breach: RGBColor(239, 106, 106).mix(0.22),
            alarm: RGBColor(255, 170, 64),
            ok: RGBColor(88, 196, 120),
        },
    }
}

/// One line of a chart. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// Shown in a legend when a chart has more than one line.
    pub label: &'a str,
    pub points: &'a [(i64, f64)],
}

/// A metric chart to draw: one or more lines on a time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart<'a> {
    pub title: &'a str,
    pub unit: Option<&'a str>,
    pub lines: &'a [Line<'a>],
    pub threshold: Option<f64>,
    /// Time intervals that breach the threshold, shaded.
    pub breaches: &'a [(i64, i64)],
    /// Alarm state changes, drawn as vertical lines.
    pub marks: &'a [Mark<'a>],
}

/// An alarm entering a state at a time (seconds since the Unix epoch), or another event on
/// the time axis (a rollout's step) with no state.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark<'a> {
    pub t: i64,
    pub alarm: &'a str,
    /// ALARM, OK or INSUFFICIENT_DATA; empty for an event that is not an alarm's.
    pub state: &'a str,
}

fn clock(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| format!("{:02}:{:02}", d.hour(), d.minute()))
        .unwrap_or_default()
}

fn axis_label(v: f64, unit: Option<&str>) -> String {
    let n = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    match unit {
        Some("%") => format!("{n}%"),
        Some(u) => format!("{n} {u}"),
        None => n,
    }
}

/// Renders the chart as an SVG document of `width` x `height` pixels.
pub fn render_svg(
    chart: &Chart<'_>,
    theme: Theme,
    width: u32,
    height: u32,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root, chart, theme, width, height)?;
    }
    Ok(svg)
}

/// Renders the chart as a PNG image of `width` x `height` pixels, for reports.
pub fn render_png(
    chart: &Chart<'_>,
    theme: Theme,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ChartError> {
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root, chart, theme, width, height)?;
    }
    encode_png(&rgb, width, height)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(rgb)?;
    }
    Ok(out)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &Chart<'_>,
    theme: Theme,
    width: u32,
    height: u32,
) -> Result<(), ChartError> {
    let colours = palette(theme);
    let draw = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
    root.fill(&colours.background).map_err(|e| draw(&e))?;
    let font = ("sans-serif", 12).into_font().color(&colours.text);
    let all = || chart.lines.iter().flat_map(|l| l.points.iter());
    if all().next().is_none() {
        let style = font.clone().pos(Pos::new(HPos::Center, VPos::Center));
        root.draw_text("no data", &style, (width as i32 / 2, height as i32 / 2))
            .map_err(|e| draw(&e))?;
        return root.present().map_err(|e| draw(&e));
    }
    let t0 = all().map(|p| p.0).min().unwrap_or_default();
    let t1 = all().map(|p| p.0).max().unwrap_or_default().max(t0 + 60);
    let values = all().map(|p| p.1).chain(chart.threshold);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = match ((hi - lo) * 0.1).max(hi.abs() * 0.05) {
        p if p > 1e-9 => p,
        _ => 1.0,
    };
    // Values that are never negative (counts, percentages) keep the axis at or above zero.
    let y0 = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let y1 = hi + pad;
    let mut plot = ChartBuilder::on(root)
        .caption(
            chart.title,
            ("sans-serif", 14).into_font().color(&colours.text),
        )
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(56)
        .build_cartesian_2d(t0..t1, y0..y1)
        .map_err(|e| draw(&e))?;
    plot.configure_mesh()
        .light_line_style(colours.background)
        .bold_line_style(colours.grid)
        .axis_style(colours.grid)
        .label_style(font.clone())
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|t| clock(*t))
        .y_label_formatter(&|v| axis_label(*v, chart.unit))
        .draw()
        .map_err(|e| draw(&e))?;
    plot.draw_series(
        chart
            .breaches
            .iter()
            .map(|(a, b)| Rectangle::new([(*a, y0), (*b, y1)], colours.breach.filled())),
    )
    .map_err(|e| draw(&e))?;
    for (i, line) in chart.lines.iter().enumerate() {
        let colour = colours.lines[i % colours.lines.len()];
        let drawn = plot
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| draw(&e))?;
        if chart.lines.len() > 1 {
            drawn.label(line.label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
            });
        }
    }
    if let Some(threshold) = chart.threshold {
        let dashes = (0..40).map(|i| {
            let step = (t1 - t0) as f64 / 40.0;
            let a = t0 + (i as f64 * step) as i64;
            let b = t0 + ((i as f64 + 0.6) * step) as i64;
            PathElement::new(
                vec![(a, threshold), (b, threshold)],
                colours.threshold.stroke_width(2),
            )
        });
        plot.draw_series(dashes).map_err(|e| draw(&e))?;
    }
    for mark in chart.marks.iter().filter(|m| (t0..=t1).contains(&m.t)) {
        let colour = if mark.state == "ALARM" {
            colours.alarm
        } else {
            colours.ok
        };
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(mark.t, y0), (mark.t, y1)],
            colour.stroke_width(2),
        )))
        .map_err(|e| draw(&e))?;
        let label = if mark.state.is_empty() {
            mark.alarm.to_string()
        } else {
            format!("{} {}", mark.alarm, mark.state)
        };
        let style = ("sans-serif", 11).into_font().color(&colour);
        plot.draw_series(std::iter::once(Text::new(label, (mark.t, y1), style)))
            .map_err(|e| draw(&e))?;
    }
    if chart.lines.len() > 1 {
        plot.configure_series_labels()
            .background_style(colours.background.mix(0.85))
            .border_style(colours.grid)
            .label_font(font.clone())
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| draw(&e))?;
    }
    root.present().map_err(|e| draw(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points() -> Vec<(i64, f64)> {
        (0..30)
            .map(|i| (1_763_900_000 + i * 60, 1.0 + (i as f64 / 3.0).sin()))
            .collect()
    }

    #[test]
    fn draws_series_threshold_breaches_and_labels() {
        let points = points();
        let lines = [Line {
            label: "p95",
            points: &points,
        }];
        let chart = Chart {
            title: "p95 latency",
            unit: Some("s"),
            lines: &lines,
            threshold: Some(1.5),
            breaches: &[(1_763_900_300, 1_763_900_600)],
            marks: &[Mark {
                t: 1_763_900_300,
                alarm: "ledger-latency",
                state: "ALARM",
            }],
        };
        let svg = render_svg(&chart, Theme::Light, 640, 240).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("p95 latency"));
        assert!(svg.contains("<polyline"), "the series is drawn");
        assert!(svg.contains("1.5 s"), "axis labels carry the unit");
        assert!(
            svg.contains("ledger-latency ALARM"),
            "alarm state changes are marked"
        );
        assert!(
            svg.contains("#C62F2F") || svg.contains("#c62f2f"),
            "threshold and breach in red"
        );
        let dark = render_svg(&chart, Theme::Dark, 640, 240).unwrap();
        assert!(
            dark.contains("#1A2029") || dark.contains("#1a2029"),
            "dark background"
        );
    }

    #[test]
    fn several_lines_get_a_legend() {
        let a = points();
        let b: Vec<(i64, f64)> = a.iter().map(|(t, v)| (*t, v * 2.0)).collect();
        let lines = [
            Line {
                label: "ledger-api",
                points: &a,
            },
            Line {
                label: "ledger-worker",
                points: &b,
            },
        ];
        let chart = Chart {
            title: "ECS CPU",
            unit: Some("%"),
            lines: &lines,
            threshold: None,
            breaches: &[],
            marks: &[],
        };
        let svg = render_svg(&chart, Theme::Light, 640, 240).unwrap();
        let upper = svg.to_uppercase();
        assert!(
            upper.contains("#1F5FD1") && upper.contains("#00897B"),
            "each line in its own colour"
        );
        assert!(svg.contains("ledger-api") && svg.contains("ledger-worker"));
    }

    #[test]
    fn a_flat_zero_series_keeps_a_readable_axis() {
        let zeros: Vec<(i64, f64)> = (0..30).map(|i| (1_763_900_000 + i * 60, 0.0)).collect();
        let lines = [Line {
            label: "unhealthy",
            points: &zeros,
        }];
        let chart = Chart {
            title: "Unhealthy hosts",
            unit: None,
            lines: &lines,
            threshold: None,
            breaches: &[],
            marks: &[],
        };
        let svg = render_svg(&chart, Theme::Light, 640, 240).unwrap();
        assert!(
            !svg.contains("\n-0\n</text>"),
            "no negative zero on the axis"
        );
        assert!(svg.contains("\n1\n</text>"), "the axis reaches 1");
    }

    #[test]
    fn png_for_reports() {
        let points = points();
        let lines = [Line {
            label: "CPU",
            points: &points,
        }];
        let chart = Chart {
            title: "CPU",
            unit: Some("%"),
            lines: &lines,
            threshold: Some(1.5),
            breaches: &[],
            marks: &[],
        };
        let png = render_png(&chart, Theme::Light, 320, 160).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (320, 160));
    }

    #[test]
    fn an_empty_series_says_no_data() {
        let chart = Chart {
            title: "x",
            unit: None,
            lines: &[],
            threshold: None,
            breaches: &[],
            marks: &[],
        };
        assert!(render_svg(&chart, Theme::Light, 320, 120)
            .unwrap()
            .contains("no data"));
    }
}
