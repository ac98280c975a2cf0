/// The stable reason codes a score can carry (SPEC §3). Codes never change meaning; new ones may be added.
public enum ReasonCode: String, Sendable, CaseIterable, Codable {
    /// Amount far above the user's average ("amount is 14.2× this user's average").
    case amountHighForUser = "AMOUNT_HIGH_FOR_USER"
    /// Amount far below the user's average (card testing uses tiny amounts).
    case amountLowForUser = "AMOUNT_LOW_FOR_USER"
    /// Amount far above the category's typical amount.
    case amountHighForCategory = "AMOUNT_HIGH_FOR_CATEGORY"
    /// Amount far below the category's typical amount.
    case amountLowForCategory = "AMOUNT_LOW_FOR_CATEGORY"
    /// A time of day the user rarely or never uses ("03:12, outside usual hours 09–18").
    case unusualHour = "UNUSUAL_HOUR"
    /// Several transactions within minutes ("4th transaction in 10 minutes").
    case rapidSuccession = "RAPID_SUCCESSION"
    /// Far more transactions in the last 24 hours than usual.
    case highDailyCount = "HIGH_DAILY_COUNT"
    /// Far more spent in the last 24 hours than usual.
    case highDailySpend = "HIGH_DAILY_SPEND"
    /// Far from the user's usual location ("1,240 km from the usual location").
    case farFromHome = "FAR_FROM_HOME"
    /// Implied travel speed from the previous located transaction no traveller reaches.
    case impossibleTravel = "IMPOSSIBLE_TRAVEL"
    /// A long, fast move since the previous located transaction that is still physically possible.
    case unusualTravel = "UNUSUAL_TRAVEL"
    /// First transaction in this country for the user.
    case newCountry = "NEW_COUNTRY"
    /// Outside the user's home country (seen before, but not home).
    case foreignCountry = "FOREIGN_COUNTRY"
    /// First transaction at this merchant.
    case newMerchant = "NEW_MERCHANT"
    /// First purchase in this category for the user.
    case newCategory = "NEW_CATEGORY"
    /// A category the user rarely uses.
    case unusualCategory = "UNUSUAL_CATEGORY"
    /// A channel (pos, online, atm) the user rarely uses.
    case unusualChannel = "UNUSUAL_CHANNEL"
    /// Fields missing from the transaction.
    case missingData = "MISSING_DATA"
    /// A user with little or no history, judged against population norms (the cold-start fallback).
    case newUser = "NEW_USER"
    /// No single value stands out; the combination does.
    case unusualCombination = "UNUSUAL_COMBINATION"
}
