//! The test clock: the only source of time in the shop.
//!
//! The clock starts at [`START`] and stands still until a test moves it forward with
//! `POST /test/clock/advance`. Every expiry (sessions, verification links) and every timestamp
//! (orders, e-mails) reads this clock, never the wall clock, so tests are exact and fast.

/// Seconds since the Unix epoch at which every shop's clock starts: 2025-01-01T09:00:00Z.
pub const START: u64 = 1_735_722_000;

/// A point in shop time, in whole seconds since the Unix epoch.
pub type Instant = u64;

/// The shop's clock: [`START`] plus however far tests have moved it.
#[derive(Debug, Default)]
pub struct Clock {
    elapsed: u64,
}

impl Clock {
    /// The current shop time.
    pub fn now(&self) -> Instant {
        START.saturating_add(self.elapsed)
    }

    /// Seconds the clock has been moved forward since the shop started.
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Moves the clock forward; saturates instead of overflowing.
    pub fn advance(&mut self, seconds: u64) {
        self.elapsed = self.elapsed.saturating_add(seconds);
    }
}

/// Formats shop time as RFC 3339 in UTC, e.g. `2025-01-01T09:00:00Z`.
pub fn rfc3339(at: Instant) -> String {
    let days = at / 86_400;
    let secs = at % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Year, month and day of the given day since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_start() {
        assert_eq!(rfc3339(START), "2025-01-01T09:00:00Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 86_399), "2000-02-29T23:59:59Z");
        assert_eq!(rfc3339(START + 31 * 60 + 5), "2025-01-01T09:31:05Z");
    }

    #[test]
    fn advances_only_when_told() {
        let mut clock = Clock::default();
        assert_eq!(clock.now(), START);
        clock.advance(60);
        assert_eq!(clock.now(), START + 60);
        assert_eq!(clock.elapsed(), 60);
        clock.advance(u64::MAX);
        assert_eq!(clock.elapsed(), u64::MAX);
    }
}
