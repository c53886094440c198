//! A timeline as a Gantt chart, for the post-implementation review: each row's planned bar
//! with its actual (or projected) bar over it, late rows in red, the critical path marked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{palette, ChartError, Theme};

/// One row. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct GanttRow<'a> {
    pub label: &'a str,
    pub planned: (i64, i64),
    /// What happened, or is expected to.
    pub actual: Option<(i64, i64)>,
    pub late: bool,
    pub critical: bool,
    /// A phase (bold, flush left) rather than a task or section.
    pub heading: bool,
}

const ROW: u32 = 24;
const LABELS: u32 = 300;
const AXIS: u32 = 28;

/// Renders the rows as a PNG `width` pixels wide (as tall as the rows need); `clock` labels
/// the time axis.
pub fn render_gantt_png(
    rows: &[GanttRow<'_>],
    theme: Theme,
    width: u32,
    clock: &dyn Fn(i64) -> String,
) -> Result<Vec<u8>, ChartError> {
    let height = AXIS + ROW * rows.len().max(1) as u32 + 8;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root, rows, theme, width, height, clock)?;
    }
    crate::encode_png(&rgb, width, height)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    rows: &[GanttRow<'_>],
    theme: Theme,
    width: u32,
    height: u32,
    clock: &dyn Fn(i64) -> String,
) -> Result<(), ChartError> {
    let colours = palette(theme);
    let fail = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
    root.fill(&colours.background).map_err(|e| fail(&e))?;
    let times = rows
        .iter()
        .flat_map(|r| [Some(r.planned), r.actual])
        .flatten();
    let t0 = times.clone().map(|t| t.0).min().unwrap_or(0);
    let t1 = times.map(|t| t.1).max().unwrap_or(0).max(t0 + 60);
    let chart_w = f64::from(width.saturating_sub(LABELS + 12).max(50));
    let x = |t: i64| LABELS as i32 + ((t - t0) as f64 / (t1 - t0) as f64 * chart_w) as i32;
    let text = |size: u32, bold: bool| {
        let font = ("sans-serif", size).into_font();
        let font = if bold {
            font.style(FontStyle::Bold)
        } else {
            font
        };
        font.color(&colours.text)
    };
    // The time axis: about eight labelled lines.
    let step = [900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400]
        .into_iter()
        .find(|s| (t1 - t0) / s <= 8)
        .unwrap_or(86_400);
    let mut tick = (t0 + step - 1) / step * step;
    while tick <= t1 {
        let px = x(tick);
        root.draw(&PathElement::new(
            vec![(px, AXIS as i32 - 6), (px, height as i32)],
            colours.grid.stroke_width(1),
        ))
        .map_err(|e| fail(&e))?;
        let style = text(11, false).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw_text(&clock(tick), &style, (px, 4))
            .map_err(|e| fail(&e))?;
        tick += step;
    }
    for (i, row) in rows.iter().enumerate() {
        let top = (AXIS + ROW * i as u32) as i32;
        let label = if row.critical {
            format!("◆ {}", row.label)
        } else {
            row.label.to_string()
        };
        let label: String = label.chars().take(44).collect();
        let style = text(12, row.heading).pos(Pos::new(HPos::Left, VPos::Center));
        let indent = if row.heading { 6 } else { 20 };
        root.draw_text(&label, &style, (indent, top + ROW as i32 / 2))
            .map_err(|e| fail(&e))?;
        let edge = if row.late {
            colours.threshold
        } else {
            colours.lines[0]
        };
        let (a, b) = row.planned;
        root.draw(&Rectangle::new(
            [(x(a), top + 3), (x(b).max(x(a) + 2), top + ROW as i32 - 3)],
            edge.mix(0.15).filled(),
        ))
        .map_err(|e| fail(&e))?;
        root.draw(&Rectangle::new(
            [(x(a), top + 3), (x(b).max(x(a) + 2), top + ROW as i32 - 3)],
            edge.stroke_width(if row.critical { 2 } else { 1 }),
        ))
        .map_err(|e| fail(&e))?;
        if let Some((a, b)) = row.actual {
            let fill = if row.late {
                colours.threshold
            } else {
                colours.ok
            };
            root.draw(&Rectangle::new(
                [(x(a), top + 9), (x(b).max(x(a) + 2), top + ROW as i32 - 9)],
                fill.filled(),
            ))
            .map_err(|e| fail(&e))?;
        }
    }
    root.present().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_png_as_tall_as_its_rows() {
        let rows = [
            GanttRow {
                label: "Phase 1: Deploy",
                planned: (1_800_000_000, 1_800_001_800),
                actual: Some((1_800_000_000, 1_800_003_600)),
                late: true,
                critical: true,
                heading: true,
            },
            GanttRow {
                label: "Task 1.1: Push images",
                planned: (1_800_000_000, 1_800_001_200),
                actual: None,
                late: false,
                critical: false,
                heading: false,
            },
        ];
        let png = render_gantt_png(&rows, Theme::Light, 900, &|t| {
            format!("{}", t % 86_400 / 3600)
        })
        .unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!(height, AXIS + 2 * ROW + 8);
    }
}
