//! `snapbi`: the command line over snapbi's libraries, for people who write specs or call SNAP APIs.
//!
//! It checks and lists the specs, prints the generated client, explains response codes, validates request
//! bodies against the specs, writes their OpenAPI 3.1 document, signs or verifies `X-SIGNATURE` values (with the
//! SNAP standard's recipes, or a provider's from the specs), and writes a starter provider to edit (`init`). The
//! shipped specs are embedded (`snapbi-specs`), so it works from any directory; `--specs DIR` reads others. Every
//! subcommand is a thin module over `snapbi-spec`, `snapbi-codegen`, `snapbi-openapi`, `snapbi-runtime`,
//! `snapbi-sandbox` and (for the demo) the generated client.
//!
//! Exit codes: 0 done (valid), 1 a negative answer (spec diagnostics, body violations, a signature that
//! does not verify), 2 input the command cannot use (usage, unreadable files, malformed JSON or codes,
//! unknown endpoints, bad keys).

mod check;
mod code;
mod demo;
mod docs;
mod error;
mod generate;
mod init;
mod input;
mod list;
mod openapi;
mod recipe;
mod sandbox;
mod sign;
mod validate;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// SNAP specs → checked, listed, generated; codes explained; bodies validated; signatures made and checked.
#[derive(Parser)]
#[command(name = "snapbi", version)]
struct Cli {
    /// Specs directory (or one endpoint file); default: the workspace's specs/.
    #[arg(long, global = true, value_name = "DIR")]
    specs: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every spec file; print each problem as file:line:col.
    Check,
    /// List endpoints with their headers and request fields (wire paths, types, limits).
    List(list::Args),
    /// Print the generated client code.
    #[command(name = "gen")]
    Gen(generate::Args),
    /// Explain a seven-digit SNAP response code.
    Code(code::Args),
    /// Validate a JSON request body against an endpoint's spec (read at run time: works with --specs).
    Validate(validate::Args),
    /// Compute an X-SIGNATURE value (the SNAP standard's recipe, or --provider's).
    ///
    /// Prints the signature and nothing else on stdout. The string to sign comes from a recipe: the SNAP
    /// standard's for the kind by default, or with `--provider NAME` the one that provider's file declares for the
    /// kind (`signatures:` in `<provider>/provider.yaml`, read from --specs). `--show` also prints, on stderr, the
    /// recipe, the minified body, its SHA-256 and the exact string to sign.
    ///
    /// Example: snapbi sign symmetric --provider doku --show --method POST --path /v1.0/transfer-va/create-va
    /// --token TOKEN --timestamp 2024-07-10T11:57:58+07:00 --body-file body.json (secret from
    /// $SNAPBI_CLIENT_SECRET)
    #[command(subcommand)]
    Sign(sign::Kind),
    /// Check an X-SIGNATURE value (the SNAP standard's recipe, or --provider's).
    ///
    /// Prints "valid" (exit 0) or "invalid signature" (exit 1). The recipe is chosen as for `snapbi sign`:
    /// the SNAP standard's for the kind, or with `--provider NAME` that provider's; `--show` prints what it signs
    /// on stderr.
    ///
    /// Example: snapbi verify token --provider dana --client-id ID --timestamp 2024-07-10T11:57:58+07:00
    /// --public-key pub.pem --signature SIG
    #[command(subcommand)]
    Verify(verify::Kind),
    /// Run a local SNAP provider simulator over the specs until Ctrl-C.
    Sandbox(sandbox::Args),
    /// The quickstart against an in-process sandbox: token, payment, verified notification, status, refund.
    ///
    /// `--provider doku_nonsnap` runs DOKU's non-SNAP flow instead: a Checkout page, the customer pays, DOKU's
    /// signed notification is verified, check status shows it paid.
    Demo(demo::Args),
    /// Write the Markdown reference of every endpoint (fields, limits, codes).
    Docs(docs::Args),
    /// Write the OpenAPI 3.1 document of the specs (JSON), for Swagger UI, Postman and other generators.
    ///
    /// Every field rule is a JSON Schema keyword, the provider's headers are parameters (credentials are security
    /// schemes), each declared code is a response with its example, and notifications are webhooks. `--provider
    /// NAME` keeps one provider's endpoints.
    Openapi(openapi::Args),
    /// Write a starter provider to edit: DIR/PROVIDER/{provider.yaml, token/b2b.yaml, balance-inquiry.yaml}.
    ///
    /// Modelled on the example provider (examples/own-provider), with comments saying what to edit; it stands
    /// on the shipped specs (no common/ needed) and passes `snapbi check --specs DIR` as written. Never
    /// overwrites a file without --force. The name of a provider snapbi ships is refused (a folder of that
    /// name would replace the shipped provider's files), unless DIR stands alone with a common/ of its own.
    Init(init::Args),
}

fn main() -> ExitCode {
    let cli = parse();
    let specs = input::Specs::new(cli.specs);
    let result = match cli.command {
        Command::Check => check::run(&specs),
        Command::List(args) => list::run(&specs, &args),
        Command::Gen(args) => generate::run(&specs, &args),
        Command::Code(args) => code::run(&specs, &args),
        Command::Validate(args) => validate::run(&specs, &args),
        Command::Sign(kind) => sign::run(&specs, kind),
        Command::Verify(kind) => verify::run(&specs, kind),
        Command::Sandbox(args) => sandbox::run(&specs, &args),
        Command::Demo(args) => demo::run(&specs, &args),
        Command::Docs(args) => docs::run(&specs, &args),
        Command::Openapi(args) => openapi::run(&specs, &args),
        Command::Init(args) => init::run(&args),
    };
    error::finish(result)
}

/// The command line, parsed with [`hyphen_values`] applied to every subcommand.
fn parse() -> Cli {
    let matches = hyphen_values(Cli::command()).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Lets every flag that takes a value take one beginning with `-`: base64url tokens, signatures and secrets
/// often do (`snapbi sign symmetric --token -abc…`), and clap would otherwise read them as unknown flags.
/// Positional arguments keep the default, so that `snapbi validate --json ID` still reads `--json` as a flag.
fn hyphen_values(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| match arg.get_action().takes_values() && !arg.is_positional() {
            true => arg.allow_hyphen_values(true),
            false => arg,
        })
        .mut_subcommands(hyphen_values)
}
