//! The reads whose work leaves the store (CloudWatch, AWS): each reads what it needs from the
//! store, lets it go, and then asks AWS, so the faces call one method and hold nothing.

use std::path::Path;
use std::time::{Duration, SystemTime};

use flightdeck_cloud::Evaluation;

use crate::gonogo::{evaluate_input, gonogo_input, Scope};
use crate::{Board, Error, Flightdeck, MonitoringView};

impl Flightdeck {
    /// Evaluates the criteria in `scope` over the last `window` in `env`.
    pub async fn go_no_go(
        &self,
        key: &str,
        env: &str,
        scope: Scope<'_>,
        window: Duration,
    ) -> Result<Evaluation, Error> {
        let input = gonogo_input(&*self.read()?, key, env)?;
        evaluate_input(&input, self.vault(), scope, window, SystemTime::now()).await
    }

    /// The evaluation with one chart per metric criterion, in the UI's theme.
    pub async fn board(
        &self,
        key: &str,
        env: &str,
        scope: Scope<'_>,
        window: Duration,
        dark: bool,
    ) -> Result<Board, Error> {
        let (input, traffic) = {
            let store = self.read()?;
            (
                gonogo_input(&store, key, env)?,
                crate::rollout::traffic_marks(&store, key, env)?,
            )
        };
        crate::board(&input, self.vault(), scope, window, dark, &traffic).await
    }

    /// The monitoring grid of `env` over the last `range`.
    pub async fn monitoring(
        &self,
        env: &str,
        range: Duration,
        dark: bool,
    ) -> Result<MonitoringView, Error> {
        let env = self.read()?.environment(env)?;
        crate::monitoring(&env, self.vault(), range, dark).await
    }

    /// Writes the self-contained go/no-go report to `path`; returns its size in bytes.
    pub async fn save_report(
        &self,
        key: &str,
        env: &str,
        window: Duration,
        path: &Path,
    ) -> Result<usize, Error> {
        let input = crate::report_input(&*self.read()?, key, env)?;
        let html = crate::report_html(&input, self.vault(), window).await?;
        crate::write_report(path, &html)?;
        Ok(html.len())
    }
}
