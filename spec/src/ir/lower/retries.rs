//! When a provider sends an unacknowledged notification again: `notification_retry_schedule` (the offsets, as DOKU
//! and DANA publish them) or `notification_retry_backoff` (a count of deliveries within a window, exponential, as
//! WooshPay publishes it: "we will deliver 18 times in 72 hours"). Either lowers to the same offsets, seconds after
//! the first attempt, so the sandbox keeps one schedule type.

use super::{Lowering, Src};
use crate::yaml::raw;

impl Lowering {
    /// The provider's retry offsets, seconds after the first attempt, increasing.
    pub(super) fn retry_schedule(&mut self, src: Src, file: &raw::ProviderFile) -> Vec<u64> {
        let listed = &file.notification_retry_schedule;
        match &file.notification_retry_backoff {
            Some(_) if !listed.is_empty() => {
                let msg = "give either `notification_retry_schedule` or `notification_retry_backoff`, not both: \
                           both say when a notification is sent again";
                self.push(src.value("notification_retry_backoff", msg.into()));
                Vec::new()
            }
            Some(backoff) => self.backoff(src, backoff),
            None => {
                if listed.windows(2).any(|w| w[0] >= w[1]) {
                    let msg = "notification_retry_schedule must be increasing (seconds after the first attempt)";
                    self.push(src.value("notification_retry_schedule", msg.into()));
                }
                listed.clone()
            }
        }
    }

    /// The offsets of `backoff`, or a diagnostic when it names fewer than two deliveries or more than its window
    /// can hold a second apart.
    fn backoff(&mut self, src: Src, backoff: &raw::RetryBackoffSpec) -> Vec<u64> {
        if backoff.deliveries < 2 {
            let msg = "a backoff needs at least 2 deliveries (the first attempt and one retry)";
            self.push(src.value("notification_retry_backoff.deliveries", msg.into()));
            return Vec::new();
        }
        let offsets = doubling_offsets(backoff.deliveries, backoff.within_seconds);
        if offsets.first() == Some(&0) || offsets.windows(2).any(|w| w[0] >= w[1]) {
            let msg = format!(
                "{} deliveries do not fit in {} s with each wait twice the last and at least a second",
                backoff.deliveries, backoff.within_seconds
            );
            self.push(src.value("notification_retry_backoff.within_seconds", msg));
            return Vec::new();
        }
        offsets
    }
}

/// The retries of `deliveries` attempts whose waits double (`d`, `2d`, `4d`, …) and whose last attempt is made
/// `within` seconds after the first: retry `k` at `d·(2^k − 1)`, so `d = within / (2^(deliveries−1) − 1)`. Rounded to
/// whole seconds, as the schedule is kept. A provider that publishes only "N deliveries in T, exponential" (WooshPay)
/// gets exactly that: N attempts, the last at T, each wait double the one before.
fn doubling_offsets(deliveries: u32, within: u64) -> Vec<u64> {
    let retries = deliveries.saturating_sub(1).min(62);
    let span = (1u64 << retries) - 1;
    (1..=retries)
        .map(|k| {
            let share = (1u128 << k) - 1;
            ((u128::from(within) * share + u128::from(span) / 2) / u128::from(span)) as u64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::doubling_offsets;

    #[test]
    fn wooshpays_18_deliveries_in_72_hours_double_each_wait() {
        let offsets = doubling_offsets(18, 72 * 3600);
        assert_eq!(offsets.len(), 17);
        assert_eq!(offsets.last(), Some(&259_200));
        assert_eq!(&offsets[..4], &[2, 6, 14, 30]);
        let waits: Vec<u64> = std::iter::once(offsets[0])
            .chain(offsets.windows(2).map(|w| w[1] - w[0]))
            .collect();
        // Each wait is twice the one before, to the rounding of the offsets to whole seconds (each off by half a
        // second at most, so a wait by one, and twice a wait by two).
        assert!(waits.windows(2).all(|w| w[1].abs_diff(2 * w[0]) <= 3), "{waits:?}");
    }

    #[test]
    fn two_deliveries_retry_once_at_the_end_of_the_window() {
        assert_eq!(doubling_offsets(2, 600), vec![600]);
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let offsets = doubling_offsets(u32::MAX, u64::MAX);
        assert_eq!(offsets.len(), 62);
        assert_eq!(offsets.last(), Some(&u64::MAX));
    }
}
