// A builder is not a request: only `build()`, which checks every field, turns one into the other.
use snapbi::doku::direct_debit_payment;

fn send(_request: &direct_debit_payment::Request) {}

fn main() {
    let builder = direct_debit_payment::Request::builder().partner_reference_no("INV-0001");
    send(&builder);
}
