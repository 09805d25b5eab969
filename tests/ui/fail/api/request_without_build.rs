// A builder is not a request: only `build()`, which checks every field, turns one into the other.
use snapbi_client::doku::dana_payment;

fn send(_request: &dana_payment::Request) {}

fn main() {
    let builder = dana_payment::Request::builder().partner_reference_no("INV-0001");
    send(&builder);
}
