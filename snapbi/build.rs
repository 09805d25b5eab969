//! Generates the client for the shipped specs (`snapbi-specs`) into `OUT_DIR/api.rs`: one provider per
//! enabled cargo feature (`doku`, `dana`), through `snapbi-build` like any user's specs.

fn main() {
    let enabled: Vec<&str> = snapbi_specs::providers().filter(|p| feature_enabled(p)).collect();
    snapbi_build::Builder::new(snapbi_specs::DIR)
        .shown_as("specs")
        .providers(enabled)
        // This crate depends on the runtime directly; users' code reaches it as `snapbi::rt`.
        .runtime("::snapbi_runtime")
        .out_file("api.rs")
        .generate();
}

/// Whether cargo enabled the feature named after `provider` (`CARGO_FEATURE_DANA` for `dana`).
fn feature_enabled(provider: &str) -> bool {
    let variable = format!("CARGO_FEATURE_{}", provider.to_ascii_uppercase().replace('-', "_"));
    std::env::var_os(variable).is_some()
}
