//! End-to-end tests of the `snapbi` binary: every subcommand, its output and its exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use snapbi_codegen::Options;
use snapbi_spec::Api;
use snapbi_spec::ir::AuthKind;
use snapbi_spec::ir::samples::sample_object;

const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs");
const TS: &str = "2024-07-10T11:57:58+07:00";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ----- helpers ------------------------------------------------------------------------------------------

fn snapbi(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_snapbi")).args(args), b"")
}

fn snapbi_stdin(args: &[&str], stdin: &[u8]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_snapbi")).args(args), stdin)
}

fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = run(Command::new("/usr/bin/openssl").args(args), stdin);
    assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
    out.stdout
}

fn run(command: &mut Command, stdin: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

/// Asserts a bad-input failure: exit 2, nothing on stdout, `error: …` on stderr; returns stderr.
fn input_error(out: &Output) -> String {
    assert_eq!(code(out), 2, "stdout: {} stderr: {}", stdout(out), stderr(out));
    assert_eq!(stdout(out), "");
    let err = stderr(out);
    assert!(err.starts_with("error: "), "{err}");
    err
}

fn json_out(out: &Output) -> Value {
    assert_eq!(code(out), 0, "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn api() -> Api {
    snapbi_spec::load(Path::new(SPECS), Path::new("specs"))
        .expect("shipped specs load")
        .api
}

/// A fresh directory under the system temp dir, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir = std::env::temp_dir().join(format!("snapbi-cli-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Temp(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write temp file");
        path.display().to_string()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Changes one character of a base64 signature, keeping it valid base64.
fn tamper(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

// ----- check --------------------------------------------------------------------------------------------

#[test]
fn check_accepts_the_shipped_specs() {
    let api = api();
    let out = snapbi(&["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "ok: {} endpoints, {} providers, {} shared types\n",
            api.endpoints.len(),
            api.providers.len(),
            api.types.len()
        )
    );
    let explicit = snapbi(&["check", "--specs", SPECS]);
    assert_eq!(code(&explicit), 0);
}

#[test]
fn check_locates_a_broken_value() {
    let temp = Temp::new("check");
    copy_dir(Path::new(SPECS), &temp.path("specs"));
    let file = temp.path("specs/doku/direct-debit/payment.yaml");
    let text = std::fs::read_to_string(&file).expect("read spec");
    let at = text.find("\nmethod: POST\n").expect("method line") + 1;
    let line = text[..at].lines().count() + 1;
    std::fs::write(&file, text.replacen("\nmethod: POST\n", "\nmethod: FETCH\n", 1)).expect("write spec");

    // --specs as given is how diagnostics name the files.
    let out = run(
        Command::new(env!("CARGO_BIN_EXE_snapbi"))
            .args(["check", "--specs", "specs"])
            .current_dir(&temp.0),
        b"",
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!("specs/doku/direct-debit/payment.yaml:{line}:9: error: method: unknown HTTP method `FETCH`\n")
    );

    let absolute = temp.path("specs");
    let out = snapbi(&["check", "--specs", &absolute.display().to_string()]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with(&format!("{}:{line}:9: error: method:", file.display())),
        "{}",
        stderr(&out)
    );
    // Commands that need the specs report the same diagnostics.
    let out = snapbi(&["list", "--specs", &absolute.display().to_string()]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains(&format!(":{line}:9: error: method:")));
}

// ----- list ---------------------------------------------------------------------------------------------

#[test]
fn list_json_has_wire_paths_types_and_limits() {
    let listed = json_out(&snapbi(&["list", "--json"]));
    let endpoints = listed.as_array().expect("array of endpoints");
    assert_eq!(endpoints.len(), api().endpoints.len());
    let dana = endpoints
        .iter()
        .find(|e| e["id"] == "doku.direct_debit.payment")
        .expect("doku.direct_debit.payment listed");
    assert_eq!(dana["provider"], "doku");
    assert_eq!(dana["method"], "POST");
    assert_eq!(dana["path"], "/direct-debit/core/v1/debit/payment-host-to-host");
    assert_eq!(dana["service_code"], "54");
    assert_eq!(dana["auth"], "symmetric");
    let field = |section: &str, path: &str| -> Value {
        dana[section]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["wire_path"] == path))
            .cloned()
            .unwrap_or_else(|| panic!("{section} has no {path}: {dana:#}"))
    };
    let url = field("request", "urlParam[].url");
    assert_eq!(
        (&url["type"], &url["required"], &url["max_length"]),
        (&json!("string"), &json!(false), &json!(512))
    );
    let rules = dana["rules"].as_array().expect("rules");
    assert!(
        rules.contains(&json!(
            "when additionalInfo.channel is EMONEY_DANA_SNAP or EMONEY_SHOPEE_PAY_SNAP: urlParam required"
        )),
        "{rules:?}"
    );
    let value = field("request", "amount.value");
    assert_eq!((&value["type"], &value["required"]), (&json!("decimal"), &json!(true)));
    let reference = field("request", "partnerReferenceNo");
    assert_eq!(
        (&reference["min_length"], &reference["max_length"]),
        (&json!(1), &json!(64))
    );
    assert_eq!(field("request", "urlParam")["type"], "list");
    assert_eq!(field("request", "pointOfInitiation")["type"], "enum");
    assert_eq!(field("request", "additionalInfo.order.orderTitle")["required"], false);
    // Optional: DOKU's Python SDK sends no X-DEVICE-ID on a bound-account payment (specs' note).
    let device = field("headers", "X-DEVICE-ID");
    assert_eq!(
        (&device["required"], &device["max_length"]),
        (&json!(false), &json!(400))
    );
    assert_eq!(dana["aliases"], json!([]));
    // The route DANA's Python SDK calls, served beside the documented one.
    let topup = endpoints
        .iter()
        .find(|e| e["id"] == "dana.disbursement.transfer_to_dana")
        .expect("dana.disbursement.transfer_to_dana listed");
    assert_eq!(
        (&topup["path"], &topup["aliases"]),
        (&json!("/v1.0/emoney/topup.htm"), &json!(["/rest/v1.0/emoney/topup"]))
    );
}

#[test]
fn list_text_is_a_table_per_endpoint() {
    let out = snapbi(&["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for endpoint in &api().endpoints {
        assert!(text.contains(&format!(
            "{}  {} {}\n",
            endpoint.info.id, endpoint.info.method, endpoint.info.path
        )));
    }
    assert!(
        text.contains("service 54 Direct Debit Payment · auth symmetric"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("urlParam[].url"))
        .expect("urlParam row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells, ["urlParam[].url", "string", "no", "length", "..512"]);
    assert!(
        text.contains(
            "  rule: when additionalInfo.channel is DIRECT_DEBIT_CIMB_SNAP: additionalInfo.remarks required\n"
        ),
        "{text}"
    );
}

// ----- init ---------------------------------------------------------------------------------------------

/// `snapbi ARGS` run in `dir`.
fn snapbi_in(dir: &Path, args: &[&str]) -> Output {
    run(
        Command::new(env!("CARGO_BIN_EXE_snapbi")).args(args).current_dir(dir),
        b"",
    )
}

const STARTER: [&str; 3] = ["provider.yaml", "token/b2b.yaml", "balance-inquiry.yaml"];

/// One raw HTTP/1.1 POST of an empty JSON body; the answer's status line and body.
fn post(base_url: &str, path: &str) -> (String, String) {
    http(base_url, "POST", path, "{}")
}

/// One raw HTTP/1.1 request with a JSON body; the answer's status line and body.
fn http(base_url: &str, method: &str, path: &str, body: &str) -> (String, String) {
    use std::io::Read;
    let addr = base_url.strip_prefix("http://").expect("http base URL");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the sandbox");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

#[test]
fn init_writes_a_starter_that_checks_lists_and_is_served() {
    let temp = Temp::new("init");
    let out = snapbi_in(&temp.0, &["init", "bank_xyz"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let said = stdout(&out);
    for file in STARTER {
        assert!(said.contains(&format!("wrote specs/bank_xyz/{file}\n")), "{said}");
        let text = std::fs::read_to_string(temp.path("specs/bank_xyz").join(file)).expect("written");
        assert!(!text.contains("{{") && !text.contains("nusantara"), "{file}:\n{text}");
    }
    for next in [
        "snapbi check --specs specs\n",
        "snapbi sandbox --specs specs --provider bank_xyz\n",
        "snapbi_build::generate(\"specs\");",
    ] {
        assert!(said.contains(next), "{next} missing in:\n{said}");
    }
    let provider = std::fs::read_to_string(temp.path("specs/bank_xyz/provider.yaml")).expect("provider");
    assert!(
        provider.contains("\nname: bank_xyz\n") && provider.contains("\ntitle: Bank Xyz\n"),
        "{provider}"
    );
    assert!(provider.contains("token_endpoint: bank_xyz.token.b2b\n"), "{provider}");
    assert!(provider.contains("common/"), "the starter says a common/ is not needed");

    // As written, it checks standing on the shipped specs, and lists its two endpoints.
    let out = snapbi_in(&temp.0, &["check", "--specs", "specs"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("ok: 2 endpoints, 1 providers,"),
        "{}",
        stdout(&out)
    );
    let listed = json_out(&snapbi_in(&temp.0, &["list", "--json", "--specs", "specs"]));
    let mut ids: Vec<&str> = listed
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["bank_xyz.account.balance_inquiry", "bank_xyz.token.b2b"]);

    // The sandbox serves both: an unsigned call is refused with the endpoint's own service code (an
    // unknown route would not be).
    let api = snapbi_spec::load_standing(&temp.path("specs"), Path::new("specs"))
        .expect("the starter loads")
        .api;
    let sandbox = snapbi_sandbox::Sandbox::builder()
        .api(api)
        .provider("bank_xyz")
        .expect("the starter's provider")
        .credentials(snapbi_sandbox::Credentials::demo())
        .build()
        .expect("sandbox");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (base_url, _server) = runtime.block_on(sandbox.spawn_on_loopback()).expect("spawn");
    for (path, service) in [("/v1.0/access-token/b2b", "73"), ("/v1.0/balance-inquiry", "11")] {
        let (status, body) = post(&base_url, path);
        assert!(
            status.contains(" 401 ") || status.contains(" 400 "),
            "{path}: {status} {body}"
        );
        let answer: Value = serde_json::from_str(&body).expect("JSON answer");
        let code = answer["responseCode"].as_str().expect("responseCode");
        assert_eq!(&code[3..5], service, "{path}: {answer}");
    }

    // --dir names another specs directory, as given.
    let out = snapbi_in(&temp.0, &["init", "other_bank", "--dir", "elsewhere/specs"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("wrote elsewhere/specs/other_bank/token/b2b.yaml\n"));
    assert!(stdout(&out).contains("snapbi check --specs elsewhere/specs\n"));
    let out = snapbi_in(&temp.0, &["check", "--specs", "elsewhere/specs"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn init_refuses_a_name_the_loader_would() {
    let temp = Temp::new("init-name");
    for bad in ["Bank", "bank-xyz", "2bank", "_bank", "bank.xyz", ""] {
        let err = input_error(&snapbi_in(&temp.0, &["init", bad]));
        assert!(
            err.contains(&format!("`{bad}` is not a snake_case identifier")),
            "{err}"
        );
    }
    // A provider snapbi ships would be shadowed; a folder standing alone (its own common/) may have one.
    let err = input_error(&snapbi_in(&temp.0, &["init", "doku"]));
    assert!(err.contains("`doku` is a provider snapbi ships"), "{err}");
    assert!(!temp.path("specs").exists(), "nothing written");
    std::fs::create_dir_all(temp.path("alone/common")).expect("mkdir");
    std::fs::copy(
        Path::new(SPECS).join("common/codes.yaml"),
        temp.path("alone/common/codes.yaml"),
    )
    .expect("copy");
    let out = snapbi_in(&temp.0, &["init", "doku", "--dir", "alone"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("has a common/ of its own"), "{}", stderr(&out));
}

#[test]
fn init_never_overwrites_without_force() {
    let temp = Temp::new("init-force");
    assert_eq!(code(&snapbi_in(&temp.0, &["init", "bank_xyz"])), 0);
    let folder = temp.path("specs/bank_xyz");
    let starter = std::fs::read_to_string(folder.join("provider.yaml")).expect("written");
    std::fs::write(folder.join("provider.yaml"), "# edited\n").expect("edit");
    std::fs::remove_file(folder.join("balance-inquiry.yaml")).expect("remove");

    // Any existing file stops it, named; nothing is written, not even the missing file.
    let err = input_error(&snapbi_in(&temp.0, &["init", "bank_xyz"]));
    assert_eq!(
        err,
        "error: specs/bank_xyz/provider.yaml, specs/bank_xyz/token/b2b.yaml already exist; nothing written \
         (--force overwrites)\n"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("provider.yaml")).expect("kept"),
        "# edited\n"
    );
    assert!(!folder.join("balance-inquiry.yaml").exists());

    let out = snapbi_in(&temp.0, &["init", "bank_xyz", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(folder.join("provider.yaml")).expect("rewritten"),
        starter
    );
    for file in STARTER {
        assert!(folder.join(file).is_file(), "{file}");
    }
}

// ----- gen ----------------------------------------------------------------------------------------------

#[test]
fn gen_prints_the_generated_code_deterministically() {
    let expected = snapbi_codegen::generate(Path::new(SPECS), Path::new("specs"), &Options::default())
        .expect("generate")
        .code;
    let first = snapbi(&["gen"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(
        stdout(&first) == expected,
        "gen output differs from snapbi_codegen::generate"
    );
    assert_eq!(first.stdout, snapbi(&["gen"]).stdout);

    let temp = Temp::new("gen");
    let file = temp.path("api.rs").display().to_string();
    let out = snapbi(&["gen", "--out", &file]);
    assert_eq!((code(&out), stdout(&out)), (0, String::new()));
    assert!(std::fs::read_to_string(&file).expect("written") == expected);
    input_error(&snapbi(&[
        "gen",
        "--out",
        &temp.path("no/such/dir/api.rs").display().to_string(),
    ]));
}

// ----- code ---------------------------------------------------------------------------------------------

#[test]
fn code_explains_every_case_code_for_sample_services() {
    let api = api();
    for service in ["54", "58", "73", "15"] {
        let name = &api.codes.service(service).expect("service in table").name;
        for case in api.codes.cases.iter() {
            let code_str = format!("{}{service}{}", case.http, case.case);
            let got = json_out(&snapbi(&["code", &code_str, "--json"]));
            assert_eq!(got["code"], code_str.as_str());
            assert_eq!(got["http_status"], case.http, "{code_str}");
            assert_eq!(got["service_code"], service);
            assert_eq!(got["service_name"], &**name);
            assert_eq!(got["case_code"], &*case.case);
            assert_eq!(got["case_name"], &*case.name, "{code_str}");
            assert_eq!(got["message"], &*case.message);
            assert_eq!(got["outcome"], case.outcome_for(service).as_str(), "{code_str}");
        }
    }
}

#[test]
fn code_applies_per_service_outcomes() {
    let refund = json_out(&snapbi(&["code", "4045818", "--json"]));
    assert_eq!(
        (&refund["case_name"], &refund["outcome"]),
        (&json!("InconsistentRequest"), &json!("success"))
    );
    assert_eq!(refund["outcome_source"], "service override");
    let payment = json_out(&snapbi(&["code", "4045418", "--json"]));
    assert_eq!(
        (&payment["case_name"], &payment["outcome"]),
        (&json!("InconsistentRequest"), &json!("failed"))
    );
    let declared = payment["declared_by"].as_array().cloned().unwrap_or_default();
    assert!(
        declared.iter().any(|d| d["endpoint"] == "doku.direct_debit.payment"),
        "{payment}"
    );
}

#[test]
fn code_text_names_every_part() {
    let out = snapbi(&["code", "2005400"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).lines().next(),
        Some("2005400  HTTP 200 · service 54 Direct Debit Payment · case 00 Successful · outcome: success")
    );
}

#[test]
fn code_explains_unknown_codes_as_far_as_possible() {
    let out = snapbi(&["code", "4005499"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("case 99 is not in the SNAP table; outcome guessed from HTTP 400: failed"),
        "{}",
        stdout(&out)
    );
    let unknown = json_out(&snapbi(&["code", "5039999", "--json"]));
    assert_eq!(unknown["http_status"], 503);
    assert_eq!(
        (&unknown["service_name"], &unknown["case_name"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(unknown["outcome"], "retry");
    assert_eq!(unknown["outcome_source"], "guessed from HTTP status");
}

#[test]
fn code_shows_what_each_endpoint_s_spec_says_of_it() {
    let out = snapbi(&["code", "4011101"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "  declared by doku.direct_debit.balance_inquiry (outcome: auth): The B2B token expired or does not \
             exist; fetch a new one and retry.\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn code_names_a_provider_s_own_service_code() {
    let out = snapbi(&["code", "2000000"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().next(),
        Some(
            "2000000  HTTP 200 · service 00 (not in the SNAP table; used by dana for Transfer To Bank Inquiry Status) \
             · case 00 Successful · outcome: success"
        )
    );
    assert!(
        stdout(&out).contains("declared by dana.disbursement.transfer_to_bank_status (outcome: success)"),
        "{}",
        stdout(&out)
    );
    let not_found = json_out(&snapbi(&["code", "4040001", "--json"]));
    assert_eq!(not_found["service_name"], "Transfer To Bank Inquiry Status");
    assert_eq!(not_found["service_in_snap_table"], false);
    assert_eq!(not_found["service_used_by"][0]["provider"], "dana");
    assert!(
        not_found["service_used_by"][0]["note"]
            .as_str()
            .is_some_and(|n| n.contains("Not a SNAP service code")),
        "{not_found}"
    );
    assert_eq!(
        (&not_found["case_name"], &not_found["outcome"]),
        (&json!("TransactionNotFound"), &json!("failed"))
    );
    // A code of the SNAP table says so, and names no provider.
    let standard = json_out(&snapbi(&["code", "2004300", "--json"]));
    assert_eq!(standard["service_in_snap_table"], true);
    assert_eq!(standard["service_used_by"], json!([]));
}

#[test]
fn code_rejects_anything_but_seven_digits() {
    for bad in ["123", "abcdefg", "12345678", "200540x", ""] {
        let err = input_error(&snapbi(&["code", bad]));
        assert!(err.contains("seven digits"), "{err}");
        input_error(&snapbi(&["code", bad, "--json"]));
    }
}

// ----- validate -----------------------------------------------------------------------------------------

fn dana_sample() -> Value {
    let api = api();
    let endpoint = api.endpoint("doku.direct_debit.payment").expect("dana endpoint");
    sample_object(&api, &endpoint.request)
}

#[test]
fn validate_accepts_a_sample_body() {
    let body = serde_json::to_vec_pretty(&dana_sample()).expect("json");
    let out = snapbi_stdin(&["validate", "doku.direct_debit.payment"], &body);
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "valid\n".to_owned()),
        "{}",
        stderr(&out)
    );

    let temp = Temp::new("validate-ok");
    let file = temp.write("body.json", &body);
    let out = snapbi(&["validate", "doku.direct_debit.payment", "--body-file", &file]);
    assert_eq!((code(&out), stdout(&out)), (0, "valid\n".to_owned()));
    // Every endpoint accepts its own sample body.
    let api = api();
    for endpoint in &api.endpoints {
        let body = serde_json::to_vec(&sample_object(&api, &endpoint.request)).expect("json");
        let out = snapbi_stdin(&["validate", &endpoint.info.id], &body);
        assert_eq!(code(&out), 0, "{}: {}", endpoint.info.id, stdout(&out));
    }
}

#[test]
fn validate_reads_the_specs_given_at_run_time() {
    let temp = Temp::new("validate-specs");
    let specs = temp.path("specs");
    copy_dir(Path::new(SPECS), &specs);
    let payment = specs.join("doku/direct-debit/payment.yaml");
    let text = std::fs::read_to_string(&payment).expect("payment spec");
    let narrowed = text.replacen(
        "    max_length: 64\n    example: INV-0001",
        "    max_length: 3\n    example: INV",
        1,
    );
    assert_ne!(narrowed, text, "the spec's partnerReferenceNo limit moved");
    std::fs::write(&payment, narrowed).expect("write spec");
    let body = serde_json::to_vec(&dana_sample()).expect("json");
    let specs = specs.display().to_string();
    // The shipped specs accept the body; the edited copy, read at run time, refuses the longer reference.
    let shipped = snapbi_stdin(&["validate", "doku.direct_debit.payment"], &body);
    assert_eq!(code(&shipped), 0, "{}", stdout(&shipped));
    let edited = snapbi_stdin(&["validate", "doku.direct_debit.payment", "--specs", &specs], &body);
    assert_eq!(code(&edited), 1, "{}", stderr(&edited));
    assert!(
        stdout(&edited).starts_with("partnerReferenceNo: "),
        "{}",
        stdout(&edited)
    );
}

#[test]
fn the_shipped_specs_are_embedded_so_any_directory_works() {
    let temp = Temp::new("elsewhere");
    let run_in = |args: &[&str]| {
        run(
            Command::new(env!("CARGO_BIN_EXE_snapbi"))
                .args(args)
                .current_dir(&temp.0),
            b"",
        )
    };
    let listed = run_in(&["list", "--json"]);
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let ids: Vec<String> = json_out(&listed)
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), api().endpoints.len());
    assert!(ids.iter().any(|id| id == "doku.direct_debit.payment"));
    let checked = run_in(&["check"]);
    assert_eq!(code(&checked), 0, "{}", stderr(&checked));
    let generated = run_in(&["gen"]);
    assert!(
        stdout(&generated).contains("// - specs/doku/provider.yaml"),
        "the banner lists the embedded files"
    );
}

/// DOKU's own DANA payment sample (seed 001, copied byte for byte into a fixture: no channel, a JSON boolean
/// `supportDeepLinkCheckoutUrl`, `order.orderTitle`) and the body doku-python-library 1.1.72 posts for a jump-app
/// payment (`additionalInfo.orderTitle`, `metadata: null`, `origin`, nulls for what the merchant left out) are both
/// real DOKU traffic: the payment spec must accept them.
#[test]
fn validate_accepts_doku_s_sample_and_sdk_payment_bodies() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["doku-dana-payment-seed.json", "doku-python-sdk-jump-app-payment.json"] {
        let file = fixtures.join(name);
        let out = snapbi(&[
            "validate",
            "doku.direct_debit.payment",
            "--body-file",
            file.to_str().expect("UTF-8 path"),
        ]);
        assert_eq!(
            (code(&out), stdout(&out)),
            (0, "valid\n".to_owned()),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn validate_reports_a_broken_channel_rule_with_its_reason() {
    let mut body = dana_sample();
    body["additionalInfo"]["channel"] = json!("DIRECT_DEBIT_ALLO_SNAP");
    let info = body["additionalInfo"].as_object_mut().expect("additionalInfo");
    info.remove("remarks");
    info.remove("lineItems");
    let out = snapbi_stdin(&["validate", "doku.direct_debit.payment"], body.to_string().as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        [
            "additionalInfo.remarks: is required when additionalInfo.channel is DIRECT_DEBIT_ALLO_SNAP",
            "additionalInfo.lineItems: is required when additionalInfo.channel is DIRECT_DEBIT_ALLO_SNAP",
        ]
    );
}

#[test]
fn validate_lists_every_violation_with_its_wire_path() {
    let mut body = dana_sample();
    body["partnerReferenceNo"] = json!("x".repeat(65));
    body.as_object_mut().expect("object").remove("amount");
    body["urlParam"][0]["url"] = json!(42);
    let out = snapbi_stdin(&["validate", "doku.direct_debit.payment"], body.to_string().as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    let mut paths: Vec<&str> = text.lines().filter_map(|l| l.split(':').next()).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["amount", "partnerReferenceNo", "urlParam[0].url"], "{text}");
    assert!(
        text.contains("urlParam[0].url: expected a string, found a number"),
        "{text}"
    );

    let listed = snapbi_stdin(
        &["validate", "doku.direct_debit.payment", "--json"],
        body.to_string().as_bytes(),
    );
    assert_eq!(code(&listed), 1);
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed["valid"], false);
    assert_eq!(listed["violations"].as_array().map(Vec::len), Some(3));
}

#[test]
fn validate_rejects_malformed_json_and_unknown_endpoints() {
    let err = input_error(&snapbi_stdin(
        &["validate", "doku.direct_debit.payment"],
        b"{\n  \"amount\": }",
    ));
    assert!(
        err.contains("malformed JSON") && err.contains("line 2 column 13"),
        "{err}"
    );
    let err = input_error(&snapbi(&[
        "validate",
        "doku.dana.paymnt",
        "--body-file",
        "/no/such/file.json",
    ]));
    assert!(
        err.contains("unknown endpoint `doku.dana.paymnt`") && err.contains("doku.direct_debit.payment"),
        "{err}"
    );
    let err = input_error(&snapbi(&[
        "validate",
        "doku.direct_debit.payment",
        "--body-file",
        "/no/such/file.json",
    ]));
    assert!(err.contains("/no/such/file.json"), "{err}");
}

// ----- sign / verify ------------------------------------------------------------------------------------

/// A throwaway 2048-bit RSA key pair: (private PEM path, public PEM path).
fn rsa_keys(temp: &Temp) -> (String, String) {
    let private = temp.path("key.pem").display().to_string();
    let public = temp.path("pub.pem").display().to_string();
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &private,
        ],
        b"",
    );
    openssl(&["pkey", "-in", &private, "-pubout", "-out", &public], b"");
    (private, public)
}

/// Checks an RSA signature over `message` with openssl, independently of snapbi.
fn openssl_verifies(temp: &Temp, public: &str, message: &str, signature: &str) -> bool {
    let der = openssl(&["base64", "-d", "-A"], signature.as_bytes());
    let sig = temp.write("sig.bin", der);
    let data = temp.write("data.txt", message);
    let out = run(
        Command::new("/usr/bin/openssl").args(["dgst", "-sha256", "-verify", public, "-signature", &sig, &data]),
        b"",
    );
    out.status.success()
}

fn sha256_hex(data: &[u8]) -> String {
    let out = String::from_utf8(openssl(&["dgst", "-sha256", "-r"], data)).expect("utf8");
    out.split_whitespace().next().expect("hash").to_owned()
}

fn hmac_sha512_base64(secret: &str, message: &str) -> String {
    let mac = openssl(&["dgst", "-sha512", "-hmac", secret, "-binary"], message.as_bytes());
    String::from_utf8(openssl(&["base64", "-A"], &mac))
        .expect("utf8")
        .trim()
        .to_owned()
}

/// Runs a sign command and returns the signature, checking it is the only output.
fn sign(args: &[&str]) -> String {
    let out = snapbi(args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    text.trim_end().to_owned()
}

fn verdict(args: &[&str]) -> (i32, String) {
    let out = snapbi(args);
    (code(&out), stdout(&out))
}

#[test]
fn token_signatures_round_trip() {
    let temp = Temp::new("token");
    let (private, public) = rsa_keys(&temp);
    let base = ["--client-id", "BRN-0001", "--timestamp", TS];
    let signature = sign(&[&["sign", "token"], &base[..], &["--private-key", &private]].concat());
    assert!(openssl_verifies(&temp, &public, &format!("BRN-0001|{TS}"), &signature));

    let verify = |sig: &str, client: &str| {
        verdict(&[
            "verify",
            "token",
            "--client-id",
            client,
            "--timestamp",
            TS,
            "--public-key",
            &public,
            "--signature",
            sig,
        ])
    };
    assert_eq!(verify(&signature, "BRN-0001"), (0, "valid\n".to_owned()));
    assert_eq!(
        verify(&tamper(&signature), "BRN-0001"),
        (1, "invalid signature\n".to_owned())
    );
    assert_eq!(verify(&signature, "BRN-0002"), (1, "invalid signature\n".to_owned()));
    assert_eq!(verify("not base64!", "BRN-0001").0, 1);

    // A private key where the public one belongs, or no key at all, is bad input.
    let wrong_key = [
        "verify",
        "token",
        "--client-id",
        "BRN-0001",
        "--timestamp",
        TS,
        "--signature",
        &signature,
    ];
    input_error(&snapbi(&[&wrong_key[..], &["--public-key", &private]].concat()));
    input_error(&snapbi(
        &[&wrong_key[..], &["--public-key", "/no/such/key.pem"]].concat(),
    ));
    input_error(&snapbi(
        &[&["sign", "token"], &base[..], &["--private-key", &public]].concat(),
    ));
}

#[test]
fn symmetric_signatures_match_an_independent_hmac() {
    let temp = Temp::new("symmetric");
    let body = temp.write(
        "body.json",
        "{\n  \"partnerReferenceNo\": \"INV 1\",\n  \"amount\": [1, 2.50]\n}\n",
    );
    let minified = r#"{"partnerReferenceNo":"INV 1","amount":[1,2.50]}"#;
    let path = "/direct-debit/core/v1/debit/payment-host-to-host";
    let string_to_sign = format!("POST:{path}:tok-123:{}:{TS}", sha256_hex(minified.as_bytes()));
    let expected = hmac_sha512_base64("s3cret", &string_to_sign);

    let base = [
        "--method",
        "POST",
        "--path",
        path,
        "--token",
        "tok-123",
        "--timestamp",
        TS,
    ];
    let signature = sign(
        &[
            &["sign", "symmetric"],
            &base[..],
            &["--client-secret", "s3cret", "--body-file", &body],
        ]
        .concat(),
    );
    assert_eq!(signature, expected);

    // The secret may come from the environment instead of the command line.
    let from_env = Command::new(env!("CARGO_BIN_EXE_snapbi"))
        .args([&["sign", "symmetric"], &base[..], &["--body-file", &body]].concat())
        .env("SNAPBI_CLIENT_SECRET", "s3cret")
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&from_env.stdout).trim_end(), expected);

    let verify = |sig: &str, secret: &str| {
        verdict(
            &[
                &["verify", "symmetric"],
                &base[..],
                &["--client-secret", secret, "--body-file", &body, "--signature", sig],
            ]
            .concat(),
        )
    };
    assert_eq!(verify(&signature, "s3cret"), (0, "valid\n".to_owned()));
    assert_eq!(
        verify(&tamper(&signature), "s3cret"),
        (1, "invalid signature\n".to_owned())
    );
    assert_eq!(verify(&signature, "other"), (1, "invalid signature\n".to_owned()));
}

#[test]
fn flag_values_may_begin_with_a_hyphen() {
    // base64url tokens and secrets often begin with `-`; clap would read them as unknown flags by default.
    let (token, secret) = ("-Xy_9-token", "-s3cret");
    let path = "/direct-debit/core/v1/debit/payment-host-to-host";
    let string_to_sign = format!("POST:{path}:{token}:{}:{TS}", sha256_hex(b""));
    let expected = hmac_sha512_base64(secret, &string_to_sign);
    let args = [
        "--method",
        "POST",
        "--path",
        path,
        "--token",
        token,
        "--client-secret",
        secret,
        "--timestamp",
        TS,
    ];
    assert_eq!(sign(&[&["sign", "symmetric"], &args[..]].concat()), expected);
    let verified = verdict(&[&["verify", "symmetric"], &args[..], &["--signature", &expected]].concat());
    assert_eq!(verified, (0, "valid\n".to_owned()));
    // `--name=value` keeps working.
    let equals = [format!("--token={token}"), format!("--client-secret={secret}")];
    let mixed = [
        &[
            "sign",
            "symmetric",
            "--method",
            "POST",
            "--path",
            path,
            "--timestamp",
            TS,
        ][..],
        &[equals[0].as_str(), equals[1].as_str()],
    ]
    .concat();
    assert_eq!(sign(&mixed), expected);
}

#[test]
fn an_absent_body_signs_the_empty_string() {
    let path = "/orders/v1.0/debit/status";
    let expected = hmac_sha512_base64("s3cret", &format!("GET:{path}:tok-123:{EMPTY_SHA256}:{TS}"));
    let base = [
        "--method",
        "GET",
        "--path",
        path,
        "--token",
        "tok-123",
        "--timestamp",
        TS,
    ];
    let signature = sign(&[&["sign", "symmetric"], &base[..], &["--client-secret", "s3cret"]].concat());
    assert_eq!(signature, expected);

    let temp = Temp::new("empty-body");
    let empty = temp.write("empty.json", " \n");
    let from_file = sign(
        &[
            &["sign", "symmetric"],
            &base[..],
            &["--client-secret", "s3cret", "--body-file", &empty],
        ]
        .concat(),
    );
    assert_eq!(from_file, expected);
}

#[test]
fn asymmetric_signatures_round_trip() {
    let temp = Temp::new("asymmetric");
    let (private, public) = rsa_keys(&temp);
    let body = temp.write("body.json", "{ \"a\" : \"b c\" }");
    let path = "/v1.0/transfer-va/create-va?x=1";
    let base = ["--method", "POST", "--path", path, "--timestamp", TS];

    let signature = sign(
        &[
            &["sign", "asymmetric"],
            &base[..],
            &["--private-key", &private, "--body-file", &body],
        ]
        .concat(),
    );
    let hash = sha256_hex(br#"{"a":"b c"}"#);
    assert!(openssl_verifies(
        &temp,
        &public,
        &format!("POST:{path}:{hash}:{TS}"),
        &signature
    ));
    let verify = |sig: &str| {
        verdict(
            &[
                &["verify", "asymmetric"],
                &base[..],
                &["--public-key", &public, "--body-file", &body, "--signature", sig],
            ]
            .concat(),
        )
    };
    assert_eq!(verify(&signature), (0, "valid\n".to_owned()));
    assert_eq!(verify(&tamper(&signature)), (1, "invalid signature\n".to_owned()));

    let empty = sign(&[&["sign", "asymmetric"], &base[..], &["--private-key", &private]].concat());
    assert!(openssl_verifies(
        &temp,
        &public,
        &format!("POST:{path}:{EMPTY_SHA256}:{TS}"),
        &empty
    ));
}

#[test]
fn bad_signing_input_is_exit_2_and_never_echoes_secrets() {
    let temp = Temp::new("bad-sign");
    let broken = temp.write("broken.json", "{\"a\": ");
    let secret = "TOP-SECRET-VALUE";
    let base = ["--method", "POST", "--path", "/x", "--token", "tok", "--timestamp", TS];
    let err = input_error(&snapbi(
        &[
            &["sign", "symmetric"],
            &base[..],
            &["--client-secret", secret, "--body-file", &broken],
        ]
        .concat(),
    ));
    assert!(err.contains("broken.json") && err.contains("line 1"), "{err}");
    assert!(!err.contains(secret), "{err}");
    let err = input_error(&snapbi(
        &[
            &["verify", "symmetric"],
            &base[..],
            &["--client-secret", secret, "--body-file", &broken, "--signature", "AAAA"],
        ]
        .concat(),
    ));
    assert!(!err.contains(secret), "{err}");
    let missing = Command::new(env!("CARGO_BIN_EXE_snapbi"))
        .args([&["sign", "symmetric"], &base[..]].concat())
        .env_remove("SNAPBI_CLIENT_SECRET")
        .output()
        .expect("run");
    let err = input_error(&missing);
    assert!(err.contains("SNAPBI_CLIENT_SECRET"), "{err}");
    input_error(&snapbi(&[
        "sign",
        "asymmetric",
        "--method",
        "post",
        "--path",
        "/x",
        "--timestamp",
        TS,
        "--private-key",
        "/no/such.pem",
    ]));
}

// ----- sign / verify with a provider's recipe --------------------------------------------------------------

/// A copy of the shipped specs in `temp` whose `<provider>/provider.yaml` has `from` replaced by `to`; returns
/// the copy's path for `--specs`.
fn specs_with(temp: &Temp, provider: &str, from: &str, to: &str) -> String {
    let dir = temp.path("specs");
    copy_dir(Path::new(SPECS), &dir);
    let file = dir.join(provider).join("provider.yaml");
    let text = std::fs::read_to_string(&file).expect("read provider file");
    assert!(text.contains(from), "{from} not in {}", file.display());
    std::fs::write(&file, text.replacen(from, to, 1)).expect("write provider file");
    dir.display().to_string()
}

#[test]
fn provider_doku_signs_symmetric_like_the_snap_default() {
    let temp = Temp::new("doku-symmetric");
    let body = temp.write("body.json", "{ \"partnerReferenceNo\" : \"INV 1\" }\n");
    let path = "/v1.0/transfer-va/create-va";
    let base = [
        "--method",
        "POST",
        "--path",
        path,
        "--token",
        "tok-123",
        "--timestamp",
        TS,
        "--client-secret",
        "s3cret",
        "--body-file",
        &body,
    ];
    let expected = hmac_sha512_base64(
        "s3cret",
        &format!(
            "POST:{path}:tok-123:{}:{TS}",
            sha256_hex(br#"{"partnerReferenceNo":"INV 1"}"#)
        ),
    );
    let default = sign(&[&["sign", "symmetric"], &base[..]].concat());
    let doku = sign(&[&["sign", "symmetric", "--provider", "doku"], &base[..]].concat());
    assert_eq!(default, expected);
    assert_eq!(doku, expected);

    let verify = |sig: &str| {
        verdict(
            &[
                &["verify", "symmetric", "--provider", "doku"],
                &base[..],
                &["--signature", sig],
            ]
            .concat(),
        )
    };
    assert_eq!(verify(&doku), (0, "valid\n".to_owned()));
    assert_eq!(verify(&tamper(&doku)), (1, "invalid signature\n".to_owned()));
}

#[test]
fn provider_dana_signs_tokens_with_dana_s_recipe() {
    let temp = Temp::new("dana-token");
    let (private, public) = rsa_keys(&temp);
    let base = ["--client-id", "BRN-0001", "--timestamp", TS];
    let sign_with =
        |extra: &[&str]| sign(&[&["sign", "token"], &base[..], &["--private-key", &private], extra].concat());
    let verify_with = |extra: &[&str], sig: &str| {
        verdict(
            &[
                &["verify", "token"],
                &base[..],
                &["--public-key", &public, "--signature", sig],
                extra,
            ]
            .concat(),
        )
    };

    // The shipped DANA recipe is `{client_id}|{timestamp}` (RSA signatures are deterministic: the same as SNAP's).
    let dana = sign_with(&["--provider", "dana"]);
    assert!(openssl_verifies(&temp, &public, &format!("BRN-0001|{TS}"), &dana));
    assert_eq!(dana, sign_with(&[]));
    assert_eq!(verify_with(&["--provider", "dana"], &dana), (0, "valid\n".to_owned()));

    // The recipe is read from the provider's file in --specs: change it there and the signature follows.
    let specs = specs_with(
        &temp,
        "dana",
        r#"token: { algorithm: rsa-sha256, string_to_sign: "{client_id}|{timestamp}" }"#,
        r#"token: { algorithm: rsa-sha256, string_to_sign: "{timestamp}/{client_id}" }"#,
    );
    let changed = sign_with(&["--specs", &specs, "--provider", "dana"]);
    assert!(openssl_verifies(&temp, &public, &format!("{TS}/BRN-0001"), &changed));
    assert!(!openssl_verifies(&temp, &public, &format!("BRN-0001|{TS}"), &changed));
    // Without --provider the same specs change nothing: the SNAP form stays the default.
    assert_eq!(sign_with(&["--specs", &specs]), dana);
    assert_eq!(
        verify_with(&["--specs", &specs, "--provider", "dana"], &changed),
        (0, "valid\n".to_owned())
    );
    assert_eq!(
        verify_with(&["--specs", &specs], &changed),
        (1, "invalid signature\n".to_owned())
    );
    assert_eq!(
        verify_with(&["--specs", &specs, "--provider", "dana"], &dana),
        (1, "invalid signature\n".to_owned())
    );
}

#[test]
fn an_unknown_provider_or_a_missing_recipe_is_bad_input() {
    let request = ["--method", "POST", "--path", "/x", "--token", "tok", "--timestamp", TS];
    let secret = ["--client-secret", "s3cret"];
    let api = api();
    let known: Vec<&str> = api.providers.iter().map(|p| p.name.as_str()).collect();
    assert!(known.len() >= 2, "{known:?}");

    let err = input_error(&snapbi(
        &[&["sign", "symmetric", "--provider", "nope"], &request[..], &secret[..]].concat(),
    ));
    assert!(err.contains("unknown provider `nope`"), "{err}");
    assert!(err.contains(&format!("known providers: {}", known.join(", "))), "{err}");
    let err = input_error(&snapbi(
        &[
            &["verify", "symmetric", "--provider", "nope"],
            &request[..],
            &secret[..],
            &["--signature", "AAAA"],
        ]
        .concat(),
    ));
    assert!(err.contains(&format!("known providers: {}", known.join(", "))), "{err}");

    // DANA declares no symmetric recipe: the error names the kinds it has.
    let dana = api.providers.iter().find(|p| p.name == "dana").expect("dana");
    assert!(dana.signature_for(AuthKind::Symmetric).is_none());
    let kinds: Vec<&str> = AuthKind::ALL
        .iter()
        .filter(|(_, kind)| dana.signature_for(*kind).is_some())
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(kinds, ["token", "asymmetric"]);
    let err = input_error(&snapbi(
        &[&["sign", "symmetric", "--provider", "dana"], &request[..], &secret[..]].concat(),
    ));
    assert!(
        err.contains("provider `dana` has no `symmetric` signature recipe"),
        "{err}"
    );
    assert!(err.contains("it has: token, asymmetric"), "{err}");

    // Only --provider reads the specs: without it, unreadable specs do not matter.
    let missing = ["--specs", "/no/such/specs"];
    assert_eq!(
        code(&snapbi(
            &[&["sign", "symmetric"], &missing[..], &request[..], &secret[..]].concat()
        )),
        0
    );
    let out = snapbi(
        &[
            &["sign", "symmetric", "--provider", "doku"],
            &missing[..],
            &request[..],
            &secret[..],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_provider_recipe_the_subcommand_cannot_fill_is_bad_input() {
    let temp = Temp::new("unfit-recipe");
    let (private, _) = rsa_keys(&temp);
    let token = [
        "sign",
        "token",
        "--client-id",
        "BRN-0001",
        "--timestamp",
        TS,
        "--private-key",
        &private,
    ];
    let specs = specs_with(
        &temp,
        "doku",
        r#"token:      { algorithm: rsa-sha256,  string_to_sign: "{client_id}|{timestamp}" }"#,
        r#"token:      { algorithm: rsa-sha256,  string_to_sign: "{method}|{timestamp}" }"#,
    );
    let err = input_error(&snapbi(
        &[&token[..], &["--specs", &specs, "--provider", "doku"]].concat(),
    ));
    assert!(
        err.contains("provider doku's token recipe uses {method}, which the `token` subcommand does not take"),
        "{err}"
    );
    std::fs::remove_dir_all(temp.path("specs")).expect("remove specs copy");
    let specs = specs_with(
        &temp,
        "doku",
        r#"asymmetric: { algorithm: rsa-sha256, "#,
        r#"asymmetric: { algorithm: hmac-sha512, "#,
    );
    let asymmetric = [
        "sign",
        "asymmetric",
        "--method",
        "POST",
        "--path",
        "/x",
        "--timestamp",
        TS,
        "--private-key",
        &private,
    ];
    let err = input_error(&snapbi(
        &[&asymmetric[..], &["--specs", &specs, "--provider", "doku"]].concat(),
    ));
    assert!(
        err.contains(
            "provider doku's asymmetric recipe signs with hmac-sha512, but the `asymmetric` subcommand takes an RSA key"
        ),
        "{err}"
    );
}

#[test]
fn show_prints_the_string_to_sign_on_stderr() {
    let temp = Temp::new("show");
    let body = temp.write(
        "body.json",
        "{\n  \"partnerReferenceNo\": \"INV 1\",\n  \"amount\": {\"value\": \"10000.00\", \"currency\": \"IDR\"}\n}\n",
    );
    let secret = "TOP-SECRET-VALUE";
    let base = [
        "--method",
        "POST",
        "--path",
        "/v1.0/transfer-va/create-va",
        "--token",
        "tok-123",
        "--timestamp",
        TS,
        "--client-secret",
        secret,
        "--body-file",
        &body,
    ];
    // Written by hand: the minified body, `printf %s "$minified" | sha256sum`, and the SNAP symmetric form.
    let minified = r#"{"partnerReferenceNo":"INV 1","amount":{"value":"10000.00","currency":"IDR"}}"#;
    let hash = "c7f97c0b74946b051421d9b8690223d2631a25a87923c3771f37075dd3cfad06";
    assert_eq!(sha256_hex(minified.as_bytes()), hash);
    let string_to_sign = "POST:/v1.0/transfer-va/create-va:tok-123:c7f97c0b74946b051421d9b8690223d2631a25a87923c3771f37075dd3cfad06:2024-07-10T11:57:58+07:00";
    let shown = format!(
        "recipe:         hmac-sha512 over {{method}}:{{path}}:{{token}}:{{body_sha256}}:{{timestamp}} (provider doku's symmetric)\n\
         minified body:  {minified}\n\
         body sha256:    {hash}\n\
         string to sign: {string_to_sign}\n"
    );

    // The signature stays the only line on stdout; what was signed goes to stderr, without the secret.
    let out = snapbi(&[&["sign", "symmetric", "--provider", "doku", "--show"], &base[..]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("{}\n", hmac_sha512_base64(secret, string_to_sign))
    );
    assert_eq!(stderr(&out), shown);
    assert!(!stderr(&out).contains(secret));
    let quiet = snapbi(&[&["sign", "symmetric", "--provider", "doku"], &base[..]].concat());
    assert_eq!((stdout(&quiet), stderr(&quiet)), (stdout(&out), String::new()));

    // verify --show prints the same, and stdout keeps only the verdict.
    let signature = stdout(&out).trim_end().to_owned();
    let verified = snapbi(
        &[
            &["verify", "symmetric", "--provider", "doku", "--show"],
            &base[..],
            &["--signature", &signature],
        ]
        .concat(),
    );
    assert_eq!((code(&verified), stdout(&verified)), (0, "valid\n".to_owned()));
    assert_eq!(stderr(&verified), shown);

    // A token signature has no body: only the recipe and the string to sign.
    let (private, _) = rsa_keys(&temp);
    let token = snapbi(&[
        "sign",
        "token",
        "--client-id",
        "BRN-0001",
        "--timestamp",
        TS,
        "--private-key",
        &private,
        "--show",
    ]);
    assert_eq!(code(&token), 0, "{}", stderr(&token));
    assert_eq!(stdout(&token).lines().count(), 1);
    assert_eq!(
        stderr(&token),
        "recipe:         rsa-sha256 over {client_id}|{timestamp} (the SNAP standard's token)\n\
         string to sign: BRN-0001|2024-07-10T11:57:58+07:00\n"
    );
}

#[test]
fn demo_runs_the_whole_journey_against_the_in_process_sandbox() {
    let out = snapbi(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<&str> = stdout.lines().filter(|l| l.starts_with('✓')).collect();
    assert_eq!(steps.len(), 6, "{stdout}");
    for (step, code) in [
        ("B2B token", "2007300"),
        ("DANA payment", "2005400"),
        ("notification", "2005600"),
        ("status", "2005500"),
        ("partial refund", "2005800"),
    ] {
        assert!(
            steps.iter().any(|l| l.contains(step) && l.contains(code)),
            "{step} {code} missing in:\n{stdout}"
        );
    }
    assert!(stdout.contains("signature verified"));
    // The amounts are the answers' (the refund's refundAmount, the status's transAmount), not the demo's own.
    assert!(
        steps
            .iter()
            .any(|l| l.contains("partial refund") && l.contains("4000.00 IDR of 10000.00 IDR")),
        "{stdout}"
    );
    assert!(
        steps.last().is_some_and(|l| l.contains("latestTransactionStatus 04")),
        "{stdout}"
    );
}

/// Runs `snapbi demo --provider <provider>`, which must succeed; its output, after checking that its `✓` steps are
/// `expected` in order, each line holding the step's name, code and words.
fn demo_journey(provider: &str, expected: &[(&str, &str, &str)]) -> String {
    let out = snapbi(&["demo", "--provider", provider]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<&str> = stdout.lines().filter(|l| l.starts_with('✓')).collect();
    assert_eq!(steps.len(), expected.len(), "{stdout}");
    for (i, (step, code, said)) in expected.iter().enumerate() {
        assert!(
            steps[i].contains(step) && steps[i].contains(code) && steps[i].contains(said),
            "step {i} is not {step} {code} … {said}:\n{stdout}"
        );
    }
    stdout
}

#[test]
fn demo_runs_doku_s_non_snap_order_from_page_to_notification() {
    let stdout = demo_journey(
        "doku_nonsnap",
        &[
            ("payment page", "SUCCESS", "customer goes to"),
            ("check status", "PENDING", "no channel yet"),
            ("notification", "HTTP 200", "signature verified, transaction SUCCESS"),
            ("check status", "SUCCESS", "channel VIRTUAL_ACCOUNT_BCA"),
        ],
    );
    // The amount is the answers' (the order as created), on every step that reports it.
    assert_eq!(stdout.matches("amount 20000").count(), 3, "{stdout}");

    let out = snapbi(&["demo", "--provider", "nobody"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("journeys: doku, doku_nonsnap, wooshpay"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn demo_runs_a_wooshpay_payment_intent_from_its_page_to_the_signed_event() {
    demo_journey(
        "wooshpay",
        &[
            ("PaymentIntent", "requires_action", "customer goes to http://127.0.0.1:"),
            ("retrieve", "requires_action", "pending · 20000 IDR"),
            (
                "event",
                "HTTP 200",
                "signature verified (whsec_), payment_intent.succeeded · 20000 IDR · succeeded",
            ),
            ("retrieve", "succeeded", "success · 20000 IDR"),
        ],
    );
}

#[test]
fn docs_reference_every_endpoint_field_and_code() {
    let out = snapbi(&["docs"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let api = snapbi_spec::load(&specs, Path::new("specs")).expect("specs").api;
    for e in &api.endpoints {
        assert!(text.contains(&format!("### `{}`", e.info.id)), "{} missing", e.info.id);
        for c in &e.codes {
            assert!(
                text.contains(&format!("| `{}` |", c.code)),
                "{} of {} missing",
                c.code,
                e.info.id
            );
        }
        for f in snapbi_spec::ir::paths::flatten(&api, &e.request) {
            assert!(
                text.contains(&format!("| `{}` |", f.wire_path)),
                "{} of {} missing",
                f.wire_path,
                e.info.id
            );
        }
    }
}

#[test]
fn explain_with_endpoint_takes_method_path_and_recipe_from_the_spec() {
    let temp = Temp::new("explain");
    let body = temp.write("body.json", "{ \"partnerReferenceNo\": \"INV-1\" }\n");
    let secret = "TOP-SECRET-VALUE";
    let common = [
        "--token",
        "tok-123",
        "--timestamp",
        TS,
        "--client-secret",
        secret,
        "--body-file",
        &body,
    ];
    // Written by hand from specs/doku/direct-debit/payment.yaml (POST, its path) and DOKU's symmetric recipe.
    let minified = r#"{"partnerReferenceNo":"INV-1"}"#;
    let hash = sha256_hex(minified.as_bytes());
    let string_to_sign = format!("POST:/direct-debit/core/v1/debit/payment-host-to-host:tok-123:{hash}:{TS}");
    let signature = hmac_sha512_base64(secret, &string_to_sign);
    let explained = |last: &str| {
        format!(
            "recipe:         hmac-sha512 over {{method}}:{{path}}:{{token}}:{{body_sha256}}:{{timestamp}} (endpoint doku.direct_debit.payment: provider doku's symmetric)\n\
             minified body:  {minified}\n\
             body sha256:    {hash}\n\
             string to sign: {string_to_sign}\n\
             {last}\n"
        )
    };

    let endpoint = ["--endpoint", "doku.direct_debit.payment", "--explain"];
    let out = snapbi(&[&["sign", "symmetric"], &endpoint[..], &common[..]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{signature}\n"));
    assert_eq!(stderr(&out), explained(&format!("signature:      {signature}")));
    assert!(!stderr(&out).contains(secret));
    // The same signature as typing the method, the path and the provider.
    let typed = [
        "--provider",
        "doku",
        "--method",
        "POST",
        "--path",
        "/direct-debit/core/v1/debit/payment-host-to-host",
    ];
    let by_hand = snapbi(&[&["sign", "symmetric"], &typed[..], &common[..]].concat());
    assert_eq!(stdout(&by_hand), stdout(&out));

    // verify --explain prints the signature expected, so a wrong one can be compared with it.
    let wrong = tamper(&signature);
    let verified = snapbi(
        &[
            &["verify", "symmetric"],
            &endpoint[..],
            &common[..],
            &["--signature", &wrong],
        ]
        .concat(),
    );
    assert_eq!(
        (code(&verified), stdout(&verified)),
        (1, "invalid signature\n".to_owned())
    );
    assert_eq!(
        stderr(&verified),
        explained(&format!("expected signature: {signature}"))
    );
    assert!(!stderr(&verified).contains(secret));

    // The endpoint's auth kind must be the subcommand's; --endpoint replaces --method, --path and --provider.
    let (private, _) = rsa_keys(&temp);
    let kind = snapbi(&[
        "sign",
        "asymmetric",
        "--endpoint",
        "doku.direct_debit.payment",
        "--timestamp",
        TS,
        "--private-key",
        &private,
    ]);
    assert!(
        input_error(&kind).contains("endpoint `doku.direct_debit.payment` is signed `symmetric`, not `asymmetric`"),
        "{}",
        stderr(&kind)
    );
    let both = snapbi(&[&["sign", "symmetric", "--method", "POST"], &endpoint[..], &common[..]].concat());
    assert_eq!(code(&both), 2, "{}", stderr(&both));
    let unknown = snapbi(&[&["sign", "symmetric", "--endpoint", "doku.nope"], &common[..]].concat());
    assert_eq!(code(&unknown), 2, "{}", stderr(&unknown));

    // An RSA signature is checked, not remade: --explain prints the one given.
    let asym = snapbi(&[
        "sign",
        "asymmetric",
        "--endpoint",
        "dana.disbursement.bank_account_inquiry",
        "--timestamp",
        TS,
        "--private-key",
        &private,
        "--body-file",
        &body,
        "--explain",
    ]);
    assert_eq!(code(&asym), 0, "{}", stderr(&asym));
    let rsa = stdout(&asym).trim_end().to_owned();
    assert!(
        stderr(&asym).ends_with(&format!("signature:      {rsa}\n")),
        "{}",
        stderr(&asym)
    );
    assert!(!stderr(&asym).contains("PRIVATE KEY"));
}

/// The fixture provider whose `symmetric` kind is DOKU's non-SNAP scheme (HMAC-SHA256, no B2B token).
const NONSNAP_SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/tests/fixtures/nonsnap");

/// The fixture's `acme.status` is a bodiless GET with a path parameter: `list` and `docs` show the parameter with
/// its limits, and no request body.
#[test]
fn list_and_docs_show_path_parameters() {
    let listed = json_out(&snapbi(&["--specs", NONSNAP_SPECS, "list", "--json"]));
    let status = listed
        .as_array()
        .and_then(|endpoints| endpoints.iter().find(|e| e["id"] == "acme.status"))
        .expect("acme.status listed");
    assert_eq!(
        (&status["method"], &status["path"]),
        (&json!("GET"), &json!("/v1/orders/{invoice_number}"))
    );
    assert_eq!(status["request"], json!([]));
    let param = &status["params"][0];
    assert_eq!(
        (&param["wire_path"], &param["required"], &param["max_length"]),
        (&json!("invoice_number"), &json!(true), &json!(64))
    );
    let text = stdout(&snapbi(&["--specs", NONSNAP_SPECS, "list"]));
    let status = &text[text.find("acme.status").expect("listed")..];
    assert!(
        status.contains("path parameter") && status.contains("invoice_number"),
        "{text}"
    );
    assert!(status.contains("(no request body)"), "{text}");
    let docs = stdout(&snapbi(&["--specs", NONSNAP_SPECS, "docs"]));
    assert!(docs.contains("Path parameters"), "{docs}");
}

#[test]
fn sign_and_verify_take_doku_s_non_snap_scheme_from_the_provider() {
    let get = [
        "--specs",
        NONSNAP_SPECS,
        "sign",
        "symmetric",
        "--provider",
        "acme",
        "--method",
        "GET",
        "--path",
        "/orders/v1/status/INV-123123-12313",
        "--client-id",
        "MCH-0001-10791114622547",
        "--request-id",
        "d895fb53-479c-4f77-a76a-ab81b40d77cb",
        "--timestamp",
        "2020-08-11T08:45:42Z",
        "--client-secret",
        "SK-test",
    ];
    let out = snapbi(&get);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // DOKU's documented GET sample, signed by openssl on its own: four lines, no Digest.
    let lines = "Client-Id:MCH-0001-10791114622547\nRequest-Id:d895fb53-479c-4f77-a76a-ab81b40d77cb\n\
                 Request-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/orders/v1/status/INV-123123-12313";
    let mac = openssl(&["dgst", "-sha256", "-hmac", "SK-test", "-binary"], lines.as_bytes());
    let expected = String::from_utf8(openssl(&["base64", "-A"], &mac)).expect("base64");
    assert_eq!(stdout(&out).trim(), expected.trim());

    // A POST signs the Digest line too; verify recomputes it from the body.
    let body = br#"{"order":{"invoice_number":"INV-1","amount":10000}}"#;
    let digest = String::from_utf8(openssl(
        &["base64", "-A"],
        &openssl(&["dgst", "-sha256", "-binary"], body),
    ))
    .expect("base64");
    let post_lines = format!(
        "Client-Id:MCH-1\nRequest-Id:req-1\nRequest-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/checkout/v1/payment\nDigest:{}",
        digest.trim()
    );
    let mac = openssl(
        &["dgst", "-sha256", "-hmac", "SK-test", "-binary"],
        post_lines.as_bytes(),
    );
    let signature = String::from_utf8(openssl(&["base64", "-A"], &mac)).expect("base64");
    let verify = |signature: &str, request_id: &str| {
        snapbi_stdin(
            &[
                "--specs",
                NONSNAP_SPECS,
                "verify",
                "symmetric",
                "--provider",
                "acme",
                "--method",
                "POST",
                "--path",
                "/checkout/v1/payment",
                "--client-id",
                "MCH-1",
                "--request-id",
                request_id,
                "--timestamp",
                "2020-08-11T08:45:42Z",
                "--client-secret",
                "SK-test",
                "--body-file",
                "-",
                "--signature",
                signature,
            ],
            body,
        )
    };
    let out = verify(signature.trim(), "req-1");
    assert_eq!((code(&out), stdout(&out).trim()), (0, "valid"), "{}", stderr(&out));
    assert_eq!(
        code(&verify(signature.trim(), "req-2")),
        1,
        "another Request-Id is another signature"
    );

    // A value the recipe signs but no flag gave is refused, naming the flag.
    let without_request_id: Vec<&str> = get
        .iter()
        .copied()
        .filter(|a| *a != "--request-id" && *a != "d895fb53-479c-4f77-a76a-ab81b40d77cb")
        .collect();
    let out = snapbi(&without_request_id);
    assert_eq!(code(&out), 2);
    assert!(
        input_error(&out).contains("{request_id}: pass --request-id"),
        "{}",
        stderr(&out)
    );
}

// ----- openapi ------------------------------------------------------------------------------------------

/// The whole document: every outbound endpoint an operation under its path, every inbound one a webhook.
#[test]
fn openapi_writes_every_endpoint() {
    let doc = json_out(&snapbi(&["openapi"]));
    assert_eq!(doc["openapi"], "3.1.0");
    for e in &api().endpoints {
        let method = e.info.method.to_ascii_lowercase();
        let op = match e.direction {
            snapbi_spec::ir::Direction::Outbound => &doc["paths"][&*e.info.path][&method],
            snapbi_spec::ir::Direction::Inbound => &doc["webhooks"][&*e.info.id][&method],
        };
        assert_eq!(op["operationId"], json!(e.info.id), "{}", e.info.id);
    }
}

/// `--provider` keeps one provider's endpoints; `--out` writes the file and nothing to stdout.
#[test]
fn openapi_writes_one_provider_to_a_file() {
    let temp = Temp::new("openapi");
    let file = temp.path("dana.json").display().to_string();
    let out = snapbi(&["openapi", "--provider", "dana", "--out", &file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let doc: Value = serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("JSON");
    let dana: Vec<String> = api()
        .endpoints
        .iter()
        .filter(|e| e.info.provider == "dana" && e.direction == snapbi_spec::ir::Direction::Outbound)
        .map(|e| e.info.path.to_string())
        .collect();
    let paths: Vec<&String> = doc["paths"].as_object().expect("paths").keys().collect();
    assert_eq!(paths.len(), dana.len());
    assert!(paths.iter().all(|p| dana.contains(p)), "{paths:?}");
    assert_eq!(
        doc["tags"],
        json!([{ "name": "dana", "description": doc["tags"][0]["description"] }])
    );
}

/// An unknown provider is bad input that names the known ones.
#[test]
fn openapi_refuses_an_unknown_provider() {
    let err = input_error(&snapbi(&["openapi", "--provider", "ovo"]));
    assert!(
        err.contains("no provider `ovo`") && err.contains("known providers: dana, doku, doku_nonsnap, wooshpay"),
        "{err}"
    );
}

/// `--specs` reads another folder: the example provider standing on the shipped specs.
#[test]
fn openapi_reads_other_specs() {
    let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/own-provider/specs");
    let doc = json_out(&snapbi(&["--specs", specs, "openapi"]));
    assert_eq!(doc["info"]["title"], "Bank Nusantara (example)");
    let ids: Vec<&Value> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().into_iter().flat_map(|ops| ops.values()))
        .map(|op| &op["operationId"])
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
}

// ----- sandbox ------------------------------------------------------------------------------------------

#[test]
fn sandbox_refuses_a_state_file_that_is_not_one_with_its_path() {
    let temp = Temp::new("state-foreign");
    let path = temp.write("notes.txt", "these are notes, not a sandbox's world\n".repeat(10));
    let out = snapbi(&["sandbox", "--specs", SPECS, "--addr", "127.0.0.1:0", "--state", &path]);
    let err = input_error(&out);
    assert!(
        err.contains(&format!("state file {path}: not a snapbi state file")),
        "{err}"
    );
}

/// `snapbi sandbox ARGS` on a free loopback port, with the test specs.
fn sandbox_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_snapbi"));
    command
        .args(["sandbox", "--specs", SPECS, "--addr", "127.0.0.1:0"])
        .args(args);
    command
}

/// `snapbi sandbox` running in the background until it is stopped as Ctrl-C would.
struct Served {
    child: std::process::Child,
    base_url: String,
}

impl Served {
    /// Starts `snapbi sandbox ARGS` on a free loopback port and waits for its banner.
    fn start(args: &[&str]) -> Served {
        use std::io::BufRead;
        let mut child = sandbox_command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn snapbi sandbox");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let banner = lines.next().and_then(Result::ok).unwrap_or_default();
        let base_url = banner.strip_prefix("snapbi sandbox listening on ").map(str::to_owned);
        let Some(base_url) = base_url else {
            let _ = child.kill();
            panic!("no banner: {banner:?}");
        };
        // The rest of the banner is read and dropped, so the sandbox never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, base_url }
    }

    /// Stops it with SIGINT (Ctrl-C) and waits for it to exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "{status}");
    }
}

impl Drop for Served {
    /// A test that fails before `stop` leaves no sandbox running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sandbox_with_state_keeps_its_records_across_a_restart() {
    let temp = Temp::new("state-restart");
    let state = temp.path("sandbox.db").display().to_string();
    let flags = ["--provider", "doku", "--state", state.as_str()];
    let va = r#"{"partnerServiceId":"  888994","customerNo":"00000042","virtualAccountNo":"  88899400000042",
        "virtualAccountName":"Toru Yamashita"}"#;

    let first = Served::start(&flags);
    let (status, body) = http(&first.base_url, "POST", "/_sandbox/records/doku/virtual_account", va);
    assert!(status.contains("200"), "{status} {body}");
    first.stop();

    let second = Served::start(&flags);
    let (status, body) = http(&second.base_url, "GET", "/_sandbox/ledger", "");
    second.stop();
    assert!(status.contains("200"), "{status} {body}");
    let ledger: Value = serde_json::from_str(&body).expect("JSON ledger");
    let records = ledger["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(records.len(), 1, "{ledger}");
    assert_eq!(records[0]["fields"]["virtualAccountName"], "Toru Yamashita");
}

#[test]
fn a_second_sandbox_on_a_state_file_in_use_is_refused() {
    let temp = Temp::new("state-in-use");
    let state = temp.path("sandbox.db").display().to_string();
    let flags = ["--provider", "doku", "--state", state.as_str()];
    let first = Served::start(&flags);
    let second = sandbox_command(&flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn snapbi sandbox");
    let out = exited_within(second, Duration::from_secs(20));
    let err = input_error(&out);
    let expected = format!("state file {state}: in use by another sandbox, which holds {state}.lock");
    assert!(err.contains(&expected), "{err}");
    // The first one serves on, and the file is free once it has stopped.
    let (status, body) = http(&first.base_url, "GET", "/_sandbox/ledger", "");
    assert!(status.contains("200"), "{status} {body}");
    first.stop();
    Served::start(&flags).stop();
}

/// The output of `child` once it has exited; a child still running after `limit` is killed and the test fails (a
/// sandbox that was not refused would serve until stopped).
fn exited_within(mut child: std::process::Child, limit: Duration) -> Output {
    let start = std::time::Instant::now();
    while child.try_wait().is_ok_and(|status| status.is_none()) {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}
