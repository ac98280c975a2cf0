import Domain
import Foundation

extension FeaturePriors {
    /// Fits priors on training transactions (any order).
    ///
    /// - Parameter userPriorWeight: how many transactions' worth of weight the population prior carries when a
    ///   user's own statistics are shrunk toward it (5 means a user with 5 transactions is half prior, half own).
    /// - Throws: ``DetectionError/Code/invalidArgument`` for an empty input or a non-positive weight.
    public static func fit(_ transactions: some Collection<Transaction>, userPriorWeight: Double = 5)
        throws(DetectionError) -> FeaturePriors
    {
        guard !transactions.isEmpty else {
            throw DetectionError(.invalidArgument, "cannot fit feature priors on zero transactions")
        }
        guard userPriorWeight.isFinite, userPriorWeight > 0 else {
            throw DetectionError(.invalidArgument, "user prior weight must be > 0, got \(userPriorWeight)")
        }
        var amounts: [Double] = []
        amounts.reserveCapacity(transactions.count)
        var logSum = 0.0
        var logSquares = 0.0
        var hours = [Double](repeating: 0, count: 24)
        var channels = [Double](repeating: 0, count: 3)
        var categoryAmounts: [String: [Double]] = [:]
        var categorized = 0
        var users: [String: Activity] = [:]
        for t in transactions {
            let a = t.amount
            amounts.append(a)
            let la = log1p(a)
            logSum += la
            logSquares += la * la
            hours[TimeOfDay(millis: t.timestampMillis).hour] += 1
            if let ch = t.channel { channels[ch.index] += 1 }
            if let c = t.merchantCategory {
                categoryAmounts[c, default: []].append(a)
                categorized += 1
            }
            if var u = users[t.userID] {
                u.count += 1
                u.first = min(u.first, t.timestampMillis)
                u.last = max(u.last, t.timestampMillis)
                users[t.userID] = u
            } else {
                users[t.userID] = Activity(count: 1, first: t.timestampMillis, last: t.timestampMillis)
            }
        }
        let n = Double(amounts.count)
        let logMean = logSum / n
        let logSD = max(sqrt(max(logSquares / n - logMean * logMean, 0)), minimumLogSD)

        var categories: [CategoryPrior] = categoryAmounts.map { name, values in
            var logs = 0.0
            var squares = 0.0
            for v in values {
                let l = log1p(v)
                logs += l
                squares += l * l
            }
            let m = logs / Double(values.count)
            let sd = sqrt(max(squares / Double(values.count) - m * m, 0))
            return CategoryPrior(
                name: name, frequency: Double(values.count) / Double(categorized), logAmountMean: m,
                logAmountSD: max(sd, minimumLogSD), medianAmount: median(values))
        }
        categories.sort { $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.name < $1.name }
        if categories.count > maximumCategories { categories.removeLast(categories.count - maximumCategories) }

        let hourTotal = hours.reduce(0, +)
        let hourDistribution = hours.map { ($0 + 1) / (hourTotal + 24) }
        let channelTotal = channels.reduce(0, +)
        let channelFrequencies = channelTotal > 0 ? channels.map { $0 / channelTotal } : [1.0 / 3, 1.0 / 3, 1.0 / 3]

        // A user's rate is only measurable over a span; shorter spans count as one day so that a burst of a
        // new user's first transactions does not read as thousands a day.
        let rates = users.values.filter { $0.count >= 2 }.map { u in
            Double(u.count) / max(Double(u.last - u.first) / 86_400_000, 1)
        }
        let dailyRate = rates.isEmpty ? 1 : max(median(rates), 0.01)

        return try FeaturePriors(
            userPriorWeight: userPriorWeight, logAmountMean: logMean, logAmountSD: logSD,
            meanAmount: amounts.reduce(0, +) / n, medianAmount: median(amounts), categories: categories,
            unseenCategoryFrequency: 1 / Double(categorized + 1), hourDistribution: hourDistribution,
            channelFrequencies: channelFrequencies, dailyRate: dailyRate)
    }

    /// One user's activity span while fitting.
    private struct Activity {
        var count: Int
        var first: Int64
        var last: Int64
    }

    /// Spreads below this (in log-amount units) are treated as this, so users and categories with nearly
    /// constant amounts do not turn cent differences into huge z-scores.
    static let minimumLogSD = 0.1

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
