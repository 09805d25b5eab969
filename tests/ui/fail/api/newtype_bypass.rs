// Checked values cannot be built by hand: the field of a runtime newtype and the fields of a generated
// request are private, so the only way in is the checking constructor or builder.
use snapbi::doku::direct_debit_payment;

fn main() {
    let _text: snapbi_runtime::Text<1, 64> = snapbi_runtime::Text(String::from("INV-0001"));
    let _request = direct_debit_payment::Request {
        partner_reference_no: snapbi_runtime::Text::new("INV-0001").unwrap(),
    };
}
