//! How a provider writes the time of a call in its headers.

/// The form of a provider's timestamps (`timestamp.form` of a provider file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TimestampForm {
    /// ISO 8601 with the provider's offset and fraction digits: SNAP's `2024-07-10T11:57:58+07:00`, DOKU non-SNAP's
    /// `2021-07-07T08:45:42Z`.
    #[default]
    Iso8601,
    /// Whole seconds since the Unix epoch, in decimal digits: WooshPay's `t=1492774577` of `Wooshpay-Signature`.
    UnixSeconds,
}

impl TimestampForm {
    /// Every form with its spelling in a provider file.
    pub const ALL: [(&'static str, TimestampForm); 2] = [
        ("iso8601", TimestampForm::Iso8601),
        ("unix_seconds", TimestampForm::UnixSeconds),
    ];

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TimestampForm::Iso8601 => "iso8601",
            TimestampForm::UnixSeconds => "unix_seconds",
        }
    }
}
