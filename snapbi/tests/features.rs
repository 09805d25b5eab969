//! Every provider the specs ship has its cargo feature, on by default: without one, its endpoints could
//! never be generated.

#[test]
fn every_shipped_provider_has_a_default_feature() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).expect("manifest");
    let features = manifest.split("[features]").nth(1).expect("a [features] table");
    let features = features.split("\n[").next().unwrap_or_default();
    let default = features
        .lines()
        .find_map(|l| l.strip_prefix("default = "))
        .expect("default features");
    for provider in snapbi_specs::providers() {
        assert!(
            features.lines().any(|l| l.trim() == format!("{provider} = []")),
            "no feature `{provider}` in snapbi/Cargo.toml"
        );
        assert!(
            default.contains(&format!("\"{provider}\"")),
            "`{provider}` is not a default feature"
        );
    }
}

#[test]
fn the_default_build_has_every_provider() {
    assert_eq!(snapbi::doku::PROFILE.name, "doku");
    assert_eq!(snapbi::dana::PROFILE.name, "dana");
}
