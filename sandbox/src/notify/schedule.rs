//! The retry points of a notification: the provider's `notification_retry_schedule`, in seconds after the first
//! attempt ([`Schedule`]; DOKU: 30 min, 6 h and 12 h, snap-standard §5.2), compressible so tests run the real
//! schedule in milliseconds.

use std::time::Duration;

use snapbi_spec::ir::Provider;

/// When an unacknowledged notification is sent again: offsets from the FIRST attempt.
///
/// The first attempt is always made at once; `delays` lists the retries, so a delivery makes at most
/// `1 + delays.len()` attempts ([`Schedule::attempts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Offsets of the retries from the first attempt, increasing.
    pub delays: Vec<Duration>,
}

impl Schedule {
    /// The provider's `notification_retry_schedule` (seconds after the first attempt). DOKU: 1800, 21600
    /// and 43200 s, i.e. +30 min, +6 h and +12 h (snap-standard §5.2).
    pub fn from_provider(provider: &Provider) -> Self {
        Self {
            delays: provider
                .notification_retry_schedule
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
        }
    }

    /// The same schedule running `factor` times faster: each offset divided by `factor` (a factor of 0 is
    /// taken as 1). `factor = 100_000` turns DOKU's 1800 s into 18 ms, so a test runs the real schedule.
    pub fn compressed(&self, factor: u32) -> Self {
        let factor = factor.max(1);
        Self {
            delays: self.delays.iter().map(|d| *d / factor).collect(),
        }
    }

    /// `retries` retries, each right after the previous attempt: for tests that count attempts and do not
    /// care about timing.
    pub fn immediate_for_tests(retries: usize) -> Self {
        Self {
            delays: vec![Duration::ZERO; retries],
        }
    }

    /// The most attempts one delivery makes: the first one plus one per retry point.
    pub fn attempts(&self) -> usize {
        1 + self.delays.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_divides_and_never_panics() {
        let schedule = Schedule {
            delays: vec![Duration::from_secs(1800), Duration::from_secs(21600)],
        };
        assert_eq!(
            schedule.compressed(100_000).delays,
            vec![Duration::from_millis(18), Duration::from_millis(216)]
        );
        assert_eq!(schedule.compressed(0), schedule);
        assert_eq!(Schedule::immediate_for_tests(2).attempts(), 3);
    }
}
