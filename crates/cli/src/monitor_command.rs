//! `flightdeck monitor`: the monitoring grid's latest values, for a shell on a bastion host.

use std::time::Duration;

use flightdeck_core::{Error, Flightdeck};

use crate::output;

pub async fn monitor(fd: &Flightdeck, env: &str, range: u32, json: bool) -> Result<(), Error> {
    let range = Duration::from_secs(u64::from(range.max(15)) * 60);
    let view = fd.monitoring(env, range, false).await?;
    if json {
        output::json(&view.panels.iter().map(|p| serde_json::json!({
            "title": p.title, "unit": p.unit, "stat": p.stat, "period": p.period, "latest": p.latest,
        })).collect::<Vec<_>>());
        return Ok(());
    }
    for panel in &view.panels {
        let unit = panel.unit.as_deref().unwrap_or("");
        if panel.latest.is_empty() {
            println!("{:<26} no data", panel.title);
        }
        for latest in &panel.latest {
            println!(
                "{:<26} {:>10.2} {unit:<3} {} ({}, {} s)",
                panel.title, latest.value, latest.label, panel.stat, panel.period
            );
        }
    }
    Ok(())
}
