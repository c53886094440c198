//! Profile credential sources, resolved by aws-config from AWS config files this test writes.
//! One test function: the AWS_* file variables are process-wide.

mod common;

use flightdeck_cloud::{check_connection, list_profiles, CloudError, DEMO_ACCOUNT};
use flightdeck_model::CredentialSource;
use flightdeck_vault::Vault;

#[tokio::test]
async fn profiles_static_sso_and_unknown() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile fd-keys]\nregion = af-south-1\n\n\
         [profile fd-sso]\nsso_session = corp\nsso_account_id = 093646564004\nsso_role_name = Deployer\nregion = af-south-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.invalid/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[fd-keys]\naws_access_key_id = FDPROFILEKEY0000001\naws_secret_access_key = profile-secret-for-moto\n",
    )
    .unwrap();
    // An SSO token that expired yesterday, where the AWS CLI would have cached it.
    std::fs::write(
        aws.join("sso/cache/expired.json"),
        r#"{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.awsapps.invalid/start"}"#,
    )
    .unwrap();
    std::env::set_var("HOME", home.path());
    std::env::set_var("AWS_CONFIG_FILE", aws.join("config"));
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"));
    for var in [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        std::env::remove_var(var);
    }

    let names: Vec<(String, bool)> = list_profiles()
        .await
        .into_iter()
        .map(|p| (p.name, p.sso))
        .collect();
    assert_eq!(
        names,
        vec![("fd-keys".to_string(), false), ("fd-sso".to_string(), true)]
    );

    let moto = common::moto();
    let vault = Vault::for_service("dev.flightdeck.test");
    let profile = |p: &str| CredentialSource::Profile { profile: p.into() };

    let env = common::environment(
        "SIT",
        profile("fd-keys"),
        Some(moto.url()),
        Some(DEMO_ACCOUNT),
    );
    let check = check_connection(&env, &vault, "now".into()).await.unwrap();
    assert_eq!(check.account, DEMO_ACCOUNT);
    assert!(
        check.arn.starts_with("arn:aws:sts::123456789012:"),
        "{}",
        check.arn
    );
    assert_eq!(check.mismatch, None);

    let prod = common::environment(
        "PROD",
        profile("fd-keys"),
        Some(moto.url()),
        Some("093646564004"),
    );
    let check = check_connection(&prod, &vault, "now".into()).await.unwrap();
    assert_eq!(
        check.mismatch.as_deref(),
        Some("this profile reaches 123456789012, the environment expects 093646564004")
    );

    let unknown = common::environment("DEV", profile("nope"), Some(moto.url()), None);
    let err = check_connection(&unknown, &vault, "now".into())
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::UnknownProfile { .. }), "{err}");
    assert!(
        err.to_string().contains("known profiles: fd-keys, fd-sso"),
        "{err}"
    );

    let sso = common::environment(
        "PROD",
        profile("fd-sso"),
        Some(moto.url()),
        Some("093646564004"),
    );
    let started = std::time::Instant::now();
    let err = check_connection(&sso, &vault, "now".into())
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::SsoExpired { .. }), "{err}");
    assert!(
        err.to_string().contains("aws sso login --profile fd-sso"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 30);
}
