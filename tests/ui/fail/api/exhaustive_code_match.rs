// Response-code enums are #[non_exhaustive]: a match that lists every declared code and `Unknown(_)` still
// needs `_`, because a later spec may add codes.
use snapbi::doku::direct_debit_payment::Code;

fn describe(code: &Code) -> &'static str {
    match code {
        Code::Successful => "paid",
        Code::BadRequest
        | Code::InvalidFieldFormat
        | Code::InvalidMandatoryField
        | Code::ExceedsTransactionAmountLimit
        | Code::DoNotHonor
        | Code::TransactionNotPermitted
        | Code::InvalidMerchant
        | Code::InconsistentRequest
        | Code::Conflict
        | Code::DuplicatePartnerReferenceNo
        | Code::GeneralError => "failed",
        Code::Unauthorized | Code::InvalidToken => "auth",
        Code::InternalServerError | Code::Timeout => "retry",
        Code::Unknown(_) => "unknown",
    }
}

fn main() {
    println!("{}", describe(&Code::from("2005400")));
}
