import Domain

/// Feature columns that together make one reason, and how to say it from the raw values.
struct ReasonGroup: Sendable {
    /// Short words for the combination fallback ("amount", "hour of day").
    let label: String
    let columns: [FeatureColumn]
    /// The reason, or `nil` when the raw values do not support one (e.g. an ordinary amount).
    let describe: @Sendable (RawFeatures) -> Reason?

    /// Below this many earlier transactions a user counts as new.
    static let newUserHistory = 5.0

    private static func reason(_ code: ReasonCode, _ feature: String, _ value: Double, _ text: String) -> Reason {
        Reason(code: code.rawValue, feature: feature, value: value, text: text)
    }

    static func newUserReason(_ r: RawFeatures) -> Reason {
        let n = Int(r.historyCount)
        let history =
            switch n {
            case 0: "first transaction of this user"
            case 1: "new user: only 1 earlier transaction"
            default: "new user: only \(n) earlier transactions"
            }
        return reason(.newUser, "history_count", r.historyCount, history + ", judged against population norms")
    }

    static let all: [ReasonGroup] = [
        ReasonGroup(label: "amount", columns: [.amountLog, .amountZUser, .amountLogRatioUser]) { r in
            guard r.amountRatioUser >= 0, r.userAverageAmount > 0 else { return nil }
            if r.amountRatioUser >= 1.5 {
                return reason(
                    .amountHighForUser, "amount_ratio_user", r.amountRatioUser,
                    "amount is \(ReasonText.ratio(r.amountRatioUser)) this user's average")
            }
            if r.amountRatioUser <= 0.5 {
                return reason(
                    .amountLowForUser, "amount_ratio_user", r.amountRatioUser,
                    "amount is \(ReasonText.ratio(r.amountRatioUser)) this user's average "
                        + "(\(ReasonText.money(r.amount)) vs \(ReasonText.money(r.userAverageAmount)))")
            }
            return nil
        },
        ReasonGroup(label: "amount for the category", columns: [.amountZCategory]) { r in
            if r.amountRatioCategory >= 2 {
                return reason(
                    .amountHighForCategory, "amount_ratio_category", r.amountRatioCategory,
                    "amount is \(ReasonText.ratio(r.amountRatioCategory)) the typical amount for this category "
                        + "(\(ReasonText.money(r.categoryMedianAmount)))")
            }
            if r.amountRatioCategory > 0, r.amountRatioCategory <= 0.2 {
                return reason(
                    .amountLowForCategory, "amount_ratio_category", r.amountRatioCategory,
                    "amount \(ReasonText.money(r.amount)) is far below the typical "
                        + "\(ReasonText.money(r.categoryMedianAmount)) for this category")
            }
            return nil
        },
        ReasonGroup(label: "hour of day", columns: [.hourSin, .hourCos, .hourSurprise, .isWeekend]) { r in
            let time = ReasonText.clock(hour: Int(r.hour), minute: Int(r.minute))
            let rare = r.hourProbability * 24 < 0.5
            if r.usualHourStart >= 0, r.usualHourEnd >= 0 {
                let start = Int(r.usualHourStart)
                let end = Int(r.usualHourEnd)
                let hour = Int(r.hour)
                let inside = start < end ? (hour >= start && hour < end) : (hour >= start || hour < end)
                if !inside {
                    return reason(
                        .unusualHour, "hour", r.hour, "\(time), outside usual hours \(ReasonText.hourRange(start, end))"
                    )
                }
            }
            guard rare else { return nil }
            let whose = r.historyCount >= newUserHistory ? "this user" : "card transactions"
            return reason(.unusualHour, "hour", r.hour, "\(time), a rare hour for \(whose)")
        },
        ReasonGroup(label: "transaction rate", columns: [.logSecondsSinceLast, .count10m, .count1h]) { r in
            if r.count10m >= 2 {
                return reason(
                    .rapidSuccession, "count_10m", r.count10m,
                    "\(ReasonText.ordinal(Int(r.count10m))) transaction in 10 minutes")
            }
            if r.count1h >= 3 {
                return reason(
                    .rapidSuccession, "count_1h", r.count1h,
                    "\(ReasonText.ordinal(Int(r.count1h))) transaction in an hour")
            }
            if r.secondsSinceLast >= 0, r.secondsSinceLast <= 120 {
                return reason(
                    .rapidSuccession, "seconds_since_last", r.secondsSinceLast,
                    "only \(ReasonText.duration(minutes: r.secondsSinceLast / 60)) after the previous transaction")
            }
            return nil
        },
        ReasonGroup(label: "daily activity", columns: [.count24hRatioLog, .spend24hRatioLog]) { r in
            if r.usualDailySpend > 0, r.spend24h >= 2 * r.usualDailySpend + 1 {
                return reason(
                    .highDailySpend, "spend_24h", r.spend24h,
                    "\(ReasonText.money(r.spend24h)) spent in the last 24 hours, usually "
                        + "\(ReasonText.money(r.usualDailySpend)) a day")
            }
            if r.count24h >= 2 * r.usualDailyCount + 2 {
                return reason(
                    .highDailyCount, "count_24h", r.count24h,
                    "\(Int(r.count24h)) transactions in the last 24 hours, usually "
                        + "\(formatFixed(r.usualDailyCount, decimals: 1)) a day")
            }
            return nil
        },
        ReasonGroup(label: "location", columns: [.distanceHomeLog]) { r in
            guard r.distanceHomeKm >= 100 else { return nil }
            return reason(
                .farFromHome, "distance_home_km", r.distanceHomeKm,
                "\(ReasonText.kilometres(r.distanceHomeKm)) from the usual location")
        },
        ReasonGroup(label: "travel speed", columns: [.travelSpeedLog]) { r in
            guard r.travelKm >= 50, r.travelSpeedKmh >= 0 else { return nil }
            let text =
                "\(ReasonText.kilometres(r.travelKm)) from the previous transaction "
                + "\(ReasonText.duration(minutes: r.travelMinutes)) earlier "
                + "(\(ReasonText.grouped(Int(r.travelSpeedKmh.rounded()))) km/h)"
            return reason(
                r.travelSpeedKmh >= 900 ? .impossibleTravel : .unusualTravel, "travel_speed_kmh", r.travelSpeedKmh, text
            )
        },
        ReasonGroup(label: "country", columns: [.newCountry, .foreignCountry]) { r in
            if r.newCountry == 1 {
                return reason(.newCountry, "new_country", 1, "first transaction in this country for this user")
            }
            if r.foreignCountry == 1 {
                return reason(.foreignCountry, "foreign_country", 1, "outside the user's home country")
            }
            return nil
        },
        ReasonGroup(label: "merchant", columns: [.newMerchant, .merchantUserShare]) { r in
            guard r.newMerchant == 1 else { return nil }
            return reason(.newMerchant, "new_merchant", 1, "first transaction at this merchant")
        },
        ReasonGroup(label: "category", columns: [.newCategory, .categoryUserShare, .categoryGlobalFrequency]) { r in
            if r.newCategory == 1 {
                return reason(.newCategory, "new_category", 1, "first purchase in this category for this user")
            }
            if r.categoryMissing == 0, r.historyCount >= newUserHistory, r.categoryShare < 0.05 {
                return reason(
                    .unusualCategory, "category_share", r.categoryShare,
                    "a category this user rarely uses (\(ReasonText.percent(r.categoryShare)) of purchases)")
            }
            return nil
        },
        ReasonGroup(label: "channel", columns: [.channelPOS, .channelOnline, .channelATM, .channelUserShare]) { r in
            let names = ["", "card-present", "online", "ATM"]
            let channel = Int(r.channel)
            guard channel >= 1, channel <= 3, r.historyCount >= newUserHistory, r.channelShare < 0.15 else {
                return nil
            }
            return reason(
                .unusualChannel, "channel_share", r.channelShare,
                "\(names[channel]), a channel this user rarely uses (\(ReasonText.percent(r.channelShare)) of "
                    + "transactions)")
        },
        ReasonGroup(label: "history", columns: [.historyLogCount]) { r in
            r.historyCount < newUserHistory ? newUserReason(r) : nil
        },
        ReasonGroup(
            label: "missing fields",
            columns: [.locationMissing, .countryMissing, .categoryMissing, .channelMissing, .merchantMissing]
        ) { r in
            let missing = [
                (r.locationMissing, "location"), (r.countryMissing, "country"), (r.categoryMissing, "category"),
                (r.channelMissing, "channel"), (r.merchantMissing, "merchant"),
            ].filter { $0.0 == 1 }.map(\.1)
            guard !missing.isEmpty else { return nil }
            return reason(
                .missingData, "missing_fields", Double(missing.count), "missing \(ReasonBuilder.list(missing))")
        },
    ]
}
