//! Instruction counts of request preparation, for `valgrind --tool=callgrind` (repeatable on a busy machine,
//! where wall-clock timings are not). Each measured step is its own never-inlined function running the same
//! work as the matching row of `benches/prepare.rs`, `n` times; a second argument runs one step only:
//!
//! ```text
//! cargo build --release -p snapbi --example prepare_instructions
//! for step in baseline end_to_end goals_steps build_validate serialize; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/$step.cg \
//!     --toggle-collect="prepare_instructions::Steps::$step" \
//!     target/release/examples/prepare_instructions 10000 $step
//!   callgrind_annotate --inclusive=yes /tmp/$step.cg | grep -E 'PROGRAM TOTALS|compress(256|512) '
//! done
//! ```
//!
//! Divide by 10,001 (the step also runs once to warm up) for instructions per request. Valgrind offers no
//! SHA instructions, so SHA-256 runs sha2's portable code there (about 23,400 instructions for the body)
//! where the bench machine uses SHA-NI: the share of the compression functions is larger than in time, and
//! the instructions outside them (`PROGRAM TOTALS` minus `compress256` and `compress512`) are the figure to
//! compare across changes. With `time` instead of a step, and without valgrind, the example prints each
//! step's fastest wall-clock time per request over 20 rounds (a quick check; criterion is the reference).

use std::hint::black_box;

use snapbi::doku::{self, direct_debit_payment};
use snapbi::rt;
use snapbi::rt::signature::Sign as _;

#[path = "../benches/fixture/mod.rs"]
mod fixture;

use fixture::{CLIENT_ID, DANA, SECRET, request};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    // The DOKU client needs the RSA key of its token endpoint, though these steps never fetch a token.
    let config = rt::Config::new(CLIENT_ID)
        .client_secret(SECRET)
        .private_key(fixture::rsa_key());
    let client = fixture::client(config);
    let token = fixture::token();
    let headers = fixture::headers();
    let hmac_key = rt::signature::HmacKey::new(&rt::secret::ClientSecret::from(SECRET)).expect("key");
    let (body, string_to_sign) = fixture::body_and_string_to_sign(&token);
    let steps = Steps {
        client: &client,
        token: &token,
        headers: &headers,
        hmac_key: &hmac_key,
        body: &body,
        string_to_sign: &string_to_sign,
    };
    let all: [(&str, Step); 5] = [
        ("baseline", |steps, n| steps.baseline(n)),
        ("end_to_end", |steps, n| steps.end_to_end(n)),
        ("goals_steps", |steps, n| steps.goals_steps(n)),
        ("build_validate", |steps, n| steps.build_validate(n)),
        ("serialize", |steps, n| steps.serialize(n)),
    ];
    // Once each first, so one-time work (compiled patterns, the process part of X-EXTERNAL-ID, the
    // timestamp cache) is not counted in the measured functions.
    for (_, step) in all {
        step(&steps, 1);
    }
    match std::env::args().nth(2).as_deref() {
        // Wall-clock time: each step in turn, in 20 rounds, keeping each step's fastest round, which other
        // work on the machine can only slow down. A quick check; criterion's bench is the reference.
        Some("time") => {
            let mut fastest = [f64::INFINITY; 5];
            for _ in 0..20 {
                for ((_, step), best) in all.iter().zip(&mut fastest) {
                    let start = std::time::Instant::now();
                    step(&steps, n);
                    *best = best.min(start.elapsed().as_secs_f64() * 1e9 / n as f64);
                }
            }
            for ((name, _), ns) in all.iter().zip(fastest) {
                println!("{name:<15} {ns:7.0} ns  {:.2} x baseline", ns / fastest[0]);
            }
        }
        // One step only (its call counts are then its own), or all of them.
        only => {
            for (name, step) in all {
                if only.is_none_or(|only| only == name) {
                    step(&steps, n);
                }
            }
        }
    }
}

/// One measured step, run `n` times.
type Step = fn(&Steps, usize);

/// What the measured steps share, prepared once.
struct Steps<'a> {
    client: &'a rt::Client,
    token: &'a rt::secret::AccessToken,
    headers: &'a direct_debit_payment::Headers,
    hmac_key: &'a rt::signature::HmacKey,
    body: &'a [u8],
    string_to_sign: &'a str,
}

impl Steps<'_> {
    /// SHA-256 of the body + HMAC-SHA512 (key schedule included) of the string to sign.
    #[inline(never)]
    fn baseline(&self, n: usize) {
        for _ in 0..n {
            fixture::baseline(self.body, self.string_to_sign);
        }
    }

    /// Build + validate + serialize + hash + HMAC + headers: everything a call does before the network.
    #[inline(never)]
    fn end_to_end(&self, n: usize) {
        for _ in 0..n {
            let body = rt::body_bytes(&request());
            let pairs = rt::header_pairs(self.headers);
            black_box(
                self.client
                    .prepare(&DANA, body, Some(self.token), &pairs)
                    .expect("prepared"),
            );
        }
    }

    /// Exactly the goal's steps: build + validate + serialize + hash + string to sign with a fresh
    /// X-TIMESTAMP + HMAC with the prepared key.
    #[inline(never)]
    fn goals_steps(&self, n: usize) {
        let style = doku::PROFILE.timestamp;
        for _ in 0..n {
            let body = rt::body_bytes(&request());
            let timestamp = style.now();
            let input = rt::signature::SignInput {
                method: "POST",
                path: &DANA.path,
                token: Some(self.token),
                minified_body: &body,
                timestamp: &timestamp,
                client_id: CLIENT_ID,
                request_id: "",
            };
            let signature = rt::signature::SNAP_SYMMETRIC
                .sign(&input, &rt::signature::SigningKey::HmacKey(self.hmac_key))
                .expect("signature");
            black_box((body, signature));
        }
    }

    /// Build + validate alone (and the drop of the request).
    #[inline(never)]
    fn build_validate(&self, n: usize) {
        for _ in 0..n {
            black_box(request());
        }
    }

    /// Serialize alone.
    #[inline(never)]
    fn serialize(&self, n: usize) {
        let built = request();
        for _ in 0..n {
            black_box(rt::body_bytes(black_box(&built)));
        }
    }
}
