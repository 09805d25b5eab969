//! A user's specs directory without a `common/` stands on the shipped specs: it uses their code tables,
//! standard and shared types without copying them, and keeps only its own endpoints.

use std::path::{Path, PathBuf};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/own-provider/specs");

#[test]
fn the_example_provider_stands_on_the_shipped_specs() {
    let loaded = snapbi_spec::load_standing(Path::new(EXAMPLE), Path::new("specs")).expect("the example is valid");
    let api = loaded.api;
    let ids: Vec<&str> = api.endpoints.iter().map(|e| e.info.id.as_ref()).collect();
    assert_eq!(ids, ["nusantara.account.balance_inquiry", "nusantara.token.b2b"]);
    assert_eq!(
        api.providers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["nusantara"]
    );
    // `Amount` is the shipped type, and the only one the example's endpoints use.
    assert_eq!(
        api.types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Amount"]
    );
    assert!(api.codes.service("11").is_some(), "the SNAP code tables are there");
    // Rebuilds track the user's files only: the shipped ones are in memory.
    assert_eq!(loaded.files.len(), 3);
    assert!(loaded.files.iter().all(|f| f.starts_with(EXAMPLE)));
}

/// A copy of the example with `edit` applied to its balance inquiry.
fn edited(name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("snapbi-standing-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for relative in [
        "nusantara/provider.yaml",
        "nusantara/token/b2b.yaml",
        "nusantara/balance-inquiry.yaml",
    ] {
        let text = std::fs::read_to_string(Path::new(EXAMPLE).join(relative)).expect("example file");
        let text = if relative.ends_with("balance-inquiry.yaml") {
            edit(&text)
        } else {
            text
        };
        let target = dir.join(relative);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("mkdir");
        std::fs::write(target, text).expect("write");
    }
    dir
}

#[test]
fn a_missing_type_or_status_endpoint_is_one_error_each() {
    let dir = edited("missing", |text| {
        text.replacen("type: Amount", "type: Amounts", 1).replacen(
            "operation: other\n",
            "operation: other\nstatus_endpoint: nusantara.account.status\n",
            1,
        )
    });
    let diagnostics = snapbi_spec::load_standing(&dir, Path::new("specs")).expect_err("two mistakes");
    let messages: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}", d.file.display(), d.line, d.message))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .all(|m| m.starts_with("specs/nusantara/balance-inquiry.yaml:")),
        "{messages:#?}"
    );
    assert!(messages.iter().any(|m| m.contains("Amounts")), "{messages:#?}");
    assert!(
        messages.iter().any(|m| m.contains("nusantara.account.status")),
        "{messages:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_directory_with_its_own_common_stands_alone() {
    // The shipped specs themselves have a common/: loading them standing is loading them.
    let alone = snapbi_spec::load(Path::new(snapbi_specs::DIR), Path::new("specs")).expect("valid");
    let standing = snapbi_spec::load_standing(Path::new(snapbi_specs::DIR), Path::new("specs")).expect("valid");
    assert_eq!(format!("{:?}", standing.api), format!("{:?}", alone.api));
}

#[test]
fn an_endpoint_of_one_s_own_extends_a_shipped_provider() {
    // A copy of DANA's query payment under another id and path, in a folder that has only it.
    let shipped = snapbi_specs::file("dana/payment-gateway/query-payment.yaml").expect("DANA's query payment");
    let own = shipped
        .text
        .replacen(
            "id: dana.payment_gateway.query_payment",
            "id: dana.payment_gateway.query_payment_v2",
            1,
        )
        .replacen(
            "path: /payment-gateway/v1.0/debit/status.htm",
            "path: /payment-gateway/v2.0/debit/status.htm",
            1,
        );
    assert_ne!(own, shipped.text);
    let dir = std::env::temp_dir().join(format!("snapbi-standing-{}-extends", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dana")).expect("mkdir");
    std::fs::write(dir.join("dana/query-payment-v2.yaml"), own).expect("write");
    let api = snapbi_spec::load_standing(&dir, Path::new("specs"))
        .expect("valid over the shipped DANA")
        .api;
    let _ = std::fs::remove_dir_all(&dir);
    // Only the new endpoint is kept, with DANA's profile and its token endpoint if DANA has one.
    let ids: Vec<&str> = api.endpoints.iter().map(|e| e.info.id.as_ref()).collect();
    assert!(ids.contains(&"dana.payment_gateway.query_payment_v2"), "{ids:?}");
    assert!(!ids.contains(&"dana.payment_gateway.query_payment"), "{ids:?}");
    assert!(ids.len() <= 2, "{ids:?}");
    assert_eq!(
        api.providers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["dana"]
    );
}
