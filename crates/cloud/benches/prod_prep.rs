//! Plan and apply of the demo runbook's PROD preparation actions against moto (then their
//! undos, so every iteration starts from the same world), with the time split between the
//! emulator (every HTTP round trip, timed around the SDK's own HTTP client) and Flightdeck (the
//! rest: planning, diffing, signing, serialising).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use criterion::{criterion_group, criterion_main, Criterion};
use flightdeck_cloud::{apply, plan, seed_demo_world, MotoServer, Run};
use flightdeck_model::{CredentialSource, Environment, GuardLevel};
use flightdeck_runbook::Action;

/// The SDK's default HTTP client (hyper 1 with rustls on aws-lc), with the time spent in each
/// round trip added up.
#[derive(Debug, Clone)]
struct Timed {
    inner: SharedHttpClient,
    spent: Arc<AtomicU64>,
}

#[derive(Debug)]
struct TimedConnector {
    inner: SharedHttpConnector,
    spent: Arc<AtomicU64>,
}

impl HttpClient for Timed {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(TimedConnector {
            inner: self.inner.http_connector(settings, components),
            spent: self.spent.clone(),
        })
    }
}

impl HttpConnector for TimedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, spent) = (self.inner.clone(), self.spent.clone());
        HttpConnectorFuture::new(async move {
            let started = Instant::now();
            let response = inner.call(request).await;
            spent.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            response
        })
    }
}

fn environment(url: &str) -> Environment {
    Environment {
        name: "BENCH".into(),
        colour: "#1f5fd1".into(),
        account_id: None,
        region: "af-south-1".into(),
        dr_region: None,
        credentials: CredentialSource::Profile {
            profile: "unused".into(),
        },
        endpoint_url: Some(url.into()),
        guard: GuardLevel::Confirm,
        last_check: None,
    }
}

/// The PROD preparation phase's actions, as the demo runbook declares them.
fn prod_preparation() -> Vec<Action> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/demo/harbour-go-live.md");
    let runbook = flightdeck_runbook::parse("demo", &std::fs::read(path).expect("demo runbook"))
        .expect("the demo runbook imports");
    runbook
        .phase("phase-8")
        .expect("phase 8")
        .actions
        .iter()
        .filter(|a| a.id != "rollback-ledger")
        .map(|a| a.action.clone())
        .collect()
}

fn quiet(_: &str) {}

/// The actions of iteration `i`: a secret name of its own, since a deleted secret's name stays
/// taken during its recovery window.
fn iteration(actions: &[Action], i: u64) -> Vec<Action> {
    actions
        .iter()
        .map(|a| match a {
            Action::SecretCreate {
                name,
                description,
                kms_key_id,
                fields,
                password_field,
            } => Action::SecretCreate {
                name: format!("{name}-{i}"),
                description: description.clone(),
                kms_key_id: kms_key_id.clone(),
                fields: fields.clone(),
                password_field: password_field.clone(),
            },
            other => other.clone(),
        })
        .collect()
}

async fn sequence(config: &SdkConfig, env: &Environment, actions: &[Action]) {
    let never = AtomicBool::new(false);
    let run = Run {
        config: config.clone(),
        env,
        progress: &quiet,
        cancel: &never,
    };
    let mut undos = Vec::new();
    for action in actions {
        plan(&run, action).await.expect("plans");
        if let Some(undo) = apply(&run, action).await.expect("applies").undo {
            undos.push(undo);
        }
    }
    for undo in undos.iter().rev() {
        apply(&run, undo).await.expect("undoes");
    }
}

fn prod_prep(c: &mut Criterion) {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin");
    let moto = MotoServer::start(&venv.join("moto_server")).expect("bash scripts/setup.sh");
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let env = environment(&moto.url());
    let spent = Arc::new(AtomicU64::new(0));
    let config = rt.block_on(async {
        let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("af-south-1"))
            .endpoint_url(moto.url())
            .credentials_provider(Credentials::new("FDBENCH", "bench", None, None, "bench"))
            .load()
            .await;
        let timed = Timed {
            inner: aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build_https(),
            spent: spent.clone(),
        };
        base.into_builder().http_client(timed).build()
    });
    rt.block_on(seed_demo_world(&config)).expect("seeds");
    let actions = prod_preparation();
    let (mut total, mut emulator, mut round) = (Duration::ZERO, 0u64, 0u64);
    let mut group = c.benchmark_group("actions");
    group.sample_size(10);
    group.bench_function("plan+apply+undo of the PROD preparation actions", |b| {
        b.iter_custom(|iterations| {
            let before = spent.load(Ordering::Relaxed);
            let started = Instant::now();
            for _ in 0..iterations {
                round += 1;
                rt.block_on(sequence(&config, &env, &iteration(&actions, round)));
            }
            let elapsed = started.elapsed();
            total += elapsed;
            emulator += spent.load(Ordering::Relaxed) - before;
            elapsed
        })
    });
    group.finish();
    let emulator = Duration::from_nanos(emulator);
    println!(
        "{} actions; of {:.2} s measured, the emulator's HTTP round trips took {:.2} s ({:.1}%), Flightdeck the rest ({:.1}%)",
        actions.len(),
        total.as_secs_f64(),
        emulator.as_secs_f64(),
        100.0 * emulator.as_secs_f64() / total.as_secs_f64(),
        100.0 * (1.0 - emulator.as_secs_f64() / total.as_secs_f64())
    );
}

criterion_group!(benches, prod_prep);
criterion_main!(benches);
