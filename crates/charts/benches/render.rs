use criterion::{criterion_group, criterion_main, Criterion};
use flightdeck_charts::{render_png, render_svg, Chart, ChartError, Line, Theme};

type Render = fn(&Chart<'_>, Theme, u32, u32) -> Result<usize, ChartError>;

fn eight_charts_of_10k_points(c: &mut Criterion) {
    let series: Vec<Vec<(i64, f64)>> = (0..8)
        .map(|k| {
            (0..10_000)
                .map(|i| {
                    (
                        1_763_900_000 + i * 10,
                        50.0 + 20.0 * ((i + k * 7) as f64 / 300.0).sin(),
                    )
                })
                .collect()
        })
        .collect();
    let breaches = [(1_763_920_000, 1_763_930_000)];
    let formats: [(&str, Render); 2] = [
        ("SVG", |c, t, w, h| render_svg(c, t, w, h).map(|s| s.len())),
        ("PNG", |c, t, w, h| render_png(c, t, w, h).map(|p| p.len())),
    ];
    let mut group = c.benchmark_group("charts");
    group.sample_size(10);
    for (format, render) in formats {
        group.bench_function(
            format!("render 8 charts x 10,000 points to {format}"),
            |b| {
                b.iter(|| {
                    series
                        .iter()
                        .map(|points| {
                            let lines = [Line {
                                label: "ECS CPU",
                                points,
                            }];
                            let chart = Chart {
                                title: "ECS CPU",
                                unit: Some("%"),
                                lines: &lines,
                                threshold: Some(65.0),
                                breaches: &breaches,
                                marks: &[],
                            };
                            render(&chart, Theme::Light, 640, 240).expect("draws")
                        })
                        .sum::<usize>()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, eight_charts_of_10k_points);
criterion_main!(benches);
