//! Request preparation of the DOKU DANA payment: build + validate + serialize + hash + sign + headers,
//! next to the bare cryptography it cannot avoid, measured in the same run.
//! Run: `cargo bench -p snapbi --bench prepare`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use snapbi::doku;
use snapbi::rt;
use snapbi::rt::signature::Sign as _;

mod fixture;

use fixture::{CLIENT_ID, DANA, SECRET, TIMESTAMP, request};

/// The same endpoint signed asymmetrically (RSA, no token), to measure that recipe.
static ASYMMETRIC: rt::EndpointInfo = fixture::dana(rt::AuthKind::Asymmetric);

fn bench(c: &mut Criterion) {
    let key = fixture::rsa_key();
    let client = fixture::client(
        rt::Config::new(CLIENT_ID)
            .client_secret(SECRET)
            .private_key(key.clone()),
    );
    let token = fixture::token();
    let headers = fixture::headers();
    let (body, string_to_sign) = fixture::body_and_string_to_sign(&token);

    let mut group = c.benchmark_group("prepare DANA payment");
    group.bench_function(
        "baseline: SHA-256 of the body + HMAC-SHA512 of the string to sign",
        |b| b.iter(|| fixture::baseline(&body, &string_to_sign)),
    );
    group.bench_function(
        "snapbi symmetric: build + validate + serialize + hash + HMAC + headers",
        |b| {
            b.iter(|| {
                let body = rt::body_bytes(&request());
                let pairs = rt::header_pairs(&headers);
                // The prepared call borrows the header pairs, so it is dropped here, inside the timing.
                black_box(&client.prepare(&DANA, body, Some(&token), &pairs).expect("prepared"));
            })
        },
    );
    // Exactly the steps the goal names (build + validate + serialize + hash + string to sign + HMAC sign with
    // the client's prepared key, and a fresh X-TIMESTAMP), without assembling the other headers.
    let hmac_key = rt::signature::HmacKey::new(&rt::secret::ClientSecret::from(SECRET)).expect("key");
    let style = doku::PROFILE.timestamp;
    group.bench_function(
        "snapbi symmetric, the goal's steps: build + validate + serialize + hash + HMAC",
        |b| {
            b.iter(|| {
                let body = rt::body_bytes(&request());
                let timestamp = style.now();
                let input = rt::signature::SignInput {
                    method: "POST",
                    path: &DANA.path,
                    token: Some(&token),
                    minified_body: &body,
                    timestamp: &timestamp,
                    client_id: CLIENT_ID,
                    request_id: "",
                };
                let signature = rt::signature::SNAP_SYMMETRIC
                    .sign(&input, &rt::signature::SigningKey::HmacKey(&hmac_key))
                    .expect("signature");
                black_box((body, signature))
            })
        },
    );
    let built = request();
    let pairs = rt::header_pairs(&headers);
    let secret = rt::secret::ClientSecret::from(SECRET);
    let input = rt::signature::SignInput {
        method: "POST",
        path: &DANA.path,
        token: Some(&token),
        minified_body: &body,
        timestamp: TIMESTAMP,
        client_id: CLIENT_ID,
        request_id: "",
    };
    group.bench_function("part: recipe sign", |b| {
        b.iter(|| {
            black_box(rt::signature::SNAP_SYMMETRIC.sign(black_box(&input), &rt::signature::SigningKey::Hmac(&secret)))
        })
    });
    group.bench_function("part: build + validate", |b| b.iter(|| black_box(request())));
    group.bench_function("part: serialize", |b| {
        b.iter(|| black_box(rt::body_bytes(black_box(&built))))
    });
    group.bench_function("part: header pairs", |b| {
        b.iter(|| black_box(rt::header_pairs(black_box(&headers))))
    });
    group.bench_function("part: sign + headers (prepare)", |b| {
        b.iter(|| {
            black_box(
                client
                    .prepare(&DANA, body.clone(), Some(&token), &pairs)
                    .expect("prepared"),
            )
        })
    });
    group.bench_function("baseline: one RSA-2048 SHA-256 signature", |b| {
        b.iter(|| {
            black_box(
                key.sign_sha256(black_box(string_to_sign.as_bytes()))
                    .expect("signature"),
            )
        })
    });
    group.bench_function(
        "snapbi asymmetric: build + validate + serialize + hash + RSA + headers",
        |b| {
            b.iter(|| {
                let body = rt::body_bytes(&request());
                let pairs = rt::header_pairs(&headers);
                black_box(&client.prepare(&ASYMMETRIC, body, None, &pairs).expect("prepared"));
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
