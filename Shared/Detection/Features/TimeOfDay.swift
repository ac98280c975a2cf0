import Domain

/// The UTC clock and weekday of a Unix-millisecond timestamp (features use the timestamp's own clock; the CSV and
/// REST inputs carry no time zone).
struct TimeOfDay {
    /// 0–23.
    let hour: Int
    /// 0–59.
    let minute: Int
    /// Hour with minutes and seconds as a fraction, in [0, 24).
    let fractionalHour: Double
    /// 0 = Sunday … 6 = Saturday.
    let weekday: Int

    init(millis: Int64) {
        let msPerDay: Int64 = 86_400_000
        var day = millis / msPerDay
        var msOfDay = millis % msPerDay
        if msOfDay < 0 {
            msOfDay += msPerDay
            day -= 1
        }
        hour = Int(msOfDay / 3_600_000)
        minute = Int(msOfDay / 60_000 % 60)
        fractionalHour = Double(msOfDay) / 3_600_000
        // 1970-01-01 was a Thursday (weekday 4).
        weekday = Int(((day + 4) % 7 + 7) % 7)
    }
}

extension Channel {
    /// Dense index used by per-channel arrays: pos 0, online 1, atm 2.
    var index: Int {
        switch self {
        case .pos: 0
        case .online: 1
        case .atm: 2
        }
    }
}
