//! X-EXTERNAL-ID: unique per request. Digits only, because some providers still read the standard's
//! B2B2C table that says numeric (snap-standard §6.2); 32 digits fit the 36-character limit. The clock's
//! nanoseconds, a per-process random part and a per-process counter make it unique without a system call
//! for randomness on every request.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh X-EXTERNAL-ID.
pub(super) fn external_id() -> String {
    external_id_at(SystemTime::now())
}

/// The X-EXTERNAL-ID of a request made at `now`.
pub(super) fn external_id_at(now: SystemTime) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static PROCESS: LazyLock<u64> = LazyLock::new(|| (uuid::Uuid::new_v4().as_u128() % 1_000_000) as u64);
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) % 10_000_000;
    // Four zero-padded numbers, written digit by digit: `format!` costs several times more per request.
    let mut digits = [b'0'; 32];
    let (seconds, rest) = digits.split_at_mut(10);
    let (nanos, rest) = rest.split_at_mut(9);
    let (process, counter) = rest.split_at_mut(6);
    write_padded(seconds, now.as_secs());
    write_padded(nanos, u64::from(now.subsec_nanos()));
    write_padded(process, *PROCESS);
    write_padded(counter, count);
    // Only ASCII digits were written, so this never falls back to the empty default.
    String::from_utf8(digits.to_vec()).unwrap_or_default()
}

/// Writes the last `out.len()` decimal digits of `value` into `out`, zero-padded on the left.
///
/// Two digits per division, from a table: half the divisions of writing one digit at a time, and each
/// division waits for the one before it.
fn write_padded(out: &mut [u8], mut value: u64) {
    const PAIRS: &[u8; 200] = b"\
        0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut pairs = out.rchunks_exact_mut(2);
    for pair in &mut pairs {
        let at = (value % 100) as usize * 2;
        pair.copy_from_slice(&PAIRS[at..at + 2]);
        value /= 100;
    }
    if let [digit] = pairs.into_remainder() {
        *digit = b'0' + (value % 10) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_32_distinct_digits() {
        let (first, second) = (external_id(), external_id());
        assert_eq!(first.len(), 32);
        assert!(first.bytes().all(|b| b.is_ascii_digit()), "{first}");
        assert_ne!(first, second);
    }

    #[test]
    fn padded_digits_are_the_last_digits_zero_filled() {
        for (value, width) in [(0u64, 6), (42, 7), (1_234_567_890_123, 10), (999_999_999, 9)] {
            let mut out = vec![b'x'; width];
            write_padded(&mut out, value);
            let expected = format!("{:0width$}", value % 10u64.pow(width as u32));
            assert_eq!(String::from_utf8_lossy(&out), expected);
        }
    }
}
