/// The fixed world the generator draws from: real cities, merchant categories with typical amounts and
/// channels, and merchant names (some with commas, quotes and accents, as real merchant names have).
enum WorldCatalog {
    struct City {
        let name: String
        let latitude: Double
        let longitude: Double
        let country: String
        /// Relative share of users living there.
        let weight: Double
    }

    struct Category {
        let name: String
        /// Share of ordinary spending.
        let weight: Double
        /// Median amount (USD) and log-normal spread.
        let median: Double
        let logSD: Double
        /// Probabilities of pos, online, atm.
        let channels: (pos: Double, online: Double, atm: Double)
    }

    static let cities: [City] = [
        City(name: "New York", latitude: 40.7128, longitude: -74.0060, country: "US", weight: 8),
        City(name: "Los Angeles", latitude: 34.0522, longitude: -118.2437, country: "US", weight: 6),
        City(name: "Chicago", latitude: 41.8781, longitude: -87.6298, country: "US", weight: 4),
        City(name: "Houston", latitude: 29.7604, longitude: -95.3698, country: "US", weight: 3),
        City(name: "Phoenix", latitude: 33.4484, longitude: -112.0740, country: "US", weight: 2),
        City(name: "San Francisco", latitude: 37.7749, longitude: -122.4194, country: "US", weight: 2),
        City(name: "Seattle", latitude: 47.6062, longitude: -122.3321, country: "US", weight: 2),
        City(name: "Miami", latitude: 25.7617, longitude: -80.1918, country: "US", weight: 2),
        City(name: "Boston", latitude: 42.3601, longitude: -71.0589, country: "US", weight: 2),
        City(name: "Denver", latitude: 39.7392, longitude: -104.9903, country: "US", weight: 1.5),
        City(name: "Atlanta", latitude: 33.7490, longitude: -84.3880, country: "US", weight: 2),
        City(name: "Dallas", latitude: 32.7767, longitude: -96.7970, country: "US", weight: 2.5),
        City(name: "Toronto", latitude: 43.6532, longitude: -79.3832, country: "CA", weight: 3),
        City(name: "Vancouver", latitude: 49.2827, longitude: -123.1207, country: "CA", weight: 1.5),
        City(name: "Montréal", latitude: 45.5019, longitude: -73.5674, country: "CA", weight: 1.5),
        City(name: "Mexico City", latitude: 19.4326, longitude: -99.1332, country: "MX", weight: 2),
        City(name: "London", latitude: 51.5074, longitude: -0.1278, country: "GB", weight: 6),
        City(name: "Manchester", latitude: 53.4808, longitude: -2.2426, country: "GB", weight: 1.5),
        City(name: "Dublin", latitude: 53.3498, longitude: -6.2603, country: "IE", weight: 1),
        City(name: "Paris", latitude: 48.8566, longitude: 2.3522, country: "FR", weight: 4),
        City(name: "Lyon", latitude: 45.7640, longitude: 4.8357, country: "FR", weight: 1),
        City(name: "Berlin", latitude: 52.5200, longitude: 13.4050, country: "DE", weight: 3),
        City(name: "Munich", latitude: 48.1351, longitude: 11.5820, country: "DE", weight: 1.5),
        City(name: "Hamburg", latitude: 53.5511, longitude: 9.9937, country: "DE", weight: 1.5),
        City(name: "Madrid", latitude: 40.4168, longitude: -3.7038, country: "ES", weight: 2),
        City(name: "Barcelona", latitude: 41.3874, longitude: 2.1686, country: "ES", weight: 1.5),
        City(name: "Rome", latitude: 41.9028, longitude: 12.4964, country: "IT", weight: 2),
        City(name: "Milan", latitude: 45.4642, longitude: 9.1900, country: "IT", weight: 1.5),
        City(name: "Amsterdam", latitude: 52.3676, longitude: 4.9041, country: "NL", weight: 1.5),
        City(name: "Brussels", latitude: 50.8503, longitude: 4.3517, country: "BE", weight: 1),
        City(name: "Vienna", latitude: 48.2082, longitude: 16.3738, country: "AT", weight: 1),
        City(name: "Zürich", latitude: 47.3769, longitude: 8.5417, country: "CH", weight: 1),
        City(name: "Stockholm", latitude: 59.3293, longitude: 18.0686, country: "SE", weight: 1),
        City(name: "Oslo", latitude: 59.9139, longitude: 10.7522, country: "NO", weight: 0.8),
        City(name: "Copenhagen", latitude: 55.6761, longitude: 12.5683, country: "DK", weight: 0.8),
        City(name: "Warsaw", latitude: 52.2297, longitude: 21.0122, country: "PL", weight: 1.2),
        City(name: "Prague", latitude: 50.0755, longitude: 14.4378, country: "CZ", weight: 0.8),
        City(name: "Lisbon", latitude: 38.7223, longitude: -9.1393, country: "PT", weight: 0.8),
        City(name: "Istanbul", latitude: 41.0082, longitude: 28.9784, country: "TR", weight: 1.5),
        City(name: "Dubai", latitude: 25.2048, longitude: 55.2708, country: "AE", weight: 1),
        City(name: "Mumbai", latitude: 19.0760, longitude: 72.8777, country: "IN", weight: 2),
        City(name: "Delhi", latitude: 28.7041, longitude: 77.1025, country: "IN", weight: 2),
        City(name: "Bengaluru", latitude: 12.9716, longitude: 77.5946, country: "IN", weight: 1.5),
        City(name: "Singapore", latitude: 1.3521, longitude: 103.8198, country: "SG", weight: 1.5),
        City(name: "Hong Kong", latitude: 22.3193, longitude: 114.1694, country: "HK", weight: 1.5),
        City(name: "Tokyo", latitude: 35.6762, longitude: 139.6503, country: "JP", weight: 4),
        City(name: "Osaka", latitude: 34.6937, longitude: 135.5023, country: "JP", weight: 1.5),
        City(name: "Seoul", latitude: 37.5665, longitude: 126.9780, country: "KR", weight: 2),
        City(name: "Bangkok", latitude: 13.7563, longitude: 100.5018, country: "TH", weight: 1),
        City(name: "Sydney", latitude: -33.8688, longitude: 151.2093, country: "AU", weight: 2),
        City(name: "Melbourne", latitude: -37.8136, longitude: 144.9631, country: "AU", weight: 1.5),
        City(name: "Auckland", latitude: -36.8485, longitude: 174.7633, country: "NZ", weight: 0.7),
        City(name: "São Paulo", latitude: -23.5505, longitude: -46.6333, country: "BR", weight: 2.5),
        City(
            name: "Rio de Janeiro", latitude: -22.9068, longitude: -43.1729, country: "BR", weight: 1.2
        ),
        City(
            name: "Buenos Aires", latitude: -34.6037, longitude: -58.3816, country: "AR", weight: 1.2),
        City(name: "Bogotá", latitude: 4.7110, longitude: -74.0721, country: "CO", weight: 1),
        City(name: "Lima", latitude: -12.0464, longitude: -77.0428, country: "PE", weight: 0.8),
        City(name: "Santiago", latitude: -33.4489, longitude: -70.6693, country: "CL", weight: 0.8),
        City(name: "Johannesburg", latitude: -26.2041, longitude: 28.0473, country: "ZA", weight: 1),
        City(name: "Lagos", latitude: 6.5244, longitude: 3.3792, country: "NG", weight: 1),
        City(name: "Nairobi", latitude: -1.2921, longitude: 36.8219, country: "KE", weight: 0.7),
        City(name: "Cairo", latitude: 30.0444, longitude: 31.2357, country: "EG", weight: 1),
    ]

    static let categories: [Category] = [
        Category(name: "grocery_pos", weight: 0.16, median: 58, logSD: 0.6, channels: (0.97, 0.03, 0)),
        Category(name: "grocery_net", weight: 0.04, median: 55, logSD: 0.5, channels: (0, 1, 0)),
        Category(name: "gas_transport", weight: 0.12, median: 45, logSD: 0.4, channels: (0.98, 0.02, 0)),
        Category(name: "food_dining", weight: 0.12, median: 28, logSD: 0.7, channels: (0.85, 0.15, 0)),
        Category(name: "shopping_pos", weight: 0.08, median: 70, logSD: 0.9, channels: (1, 0, 0)),
        Category(name: "shopping_net", weight: 0.08, median: 65, logSD: 1.0, channels: (0, 1, 0)),
        Category(name: "entertainment", weight: 0.06, median: 40, logSD: 0.8, channels: (0.5, 0.5, 0)),
        Category(name: "health_fitness", weight: 0.05, median: 35, logSD: 0.6, channels: (0.8, 0.2, 0)),
        Category(name: "personal_care", weight: 0.05, median: 25, logSD: 0.7, channels: (0.8, 0.2, 0)),
        Category(name: "home", weight: 0.07, median: 60, logSD: 0.9, channels: (0.6, 0.4, 0)),
        Category(name: "kids_pets", weight: 0.06, median: 40, logSD: 0.8, channels: (0.8, 0.2, 0)),
        Category(name: "misc_pos", weight: 0.04, median: 30, logSD: 1.0, channels: (1, 0, 0)),
        Category(name: "misc_net", weight: 0.03, median: 35, logSD: 1.1, channels: (0, 1, 0)),
        Category(name: "travel", weight: 0.02, median: 240, logSD: 1.0, channels: (0.3, 0.7, 0)),
        Category(name: "cash_withdrawal", weight: 0.04, median: 80, logSD: 0.6, channels: (0, 0, 1)),
    ]

    /// Categories fraud favours (online and resellable goods), by index into ``categories``.
    static let fraudCategories: [Int] = ["shopping_net", "misc_net", "shopping_pos", "grocery_pos", "travel"].compactMap
    {
        name in categories.firstIndex { $0.name == name }
    }

    /// Card-present categories a thief abroad uses, by index into ``categories``.
    static let cardPresentCategories: [Int] = ["shopping_pos", "food_dining", "grocery_pos", "travel"].compactMap {
        name in categories.firstIndex { $0.name == name }
    }

    /// Index of the ATM cash category.
    static let cashCategory = categories.firstIndex { $0.name == "cash_withdrawal" } ?? 0

    private static let surnames = [
        "Rippin", "Kub", "Mann", "Heller", "Gutmann", "Zieme", "Lind", "Buckridge", "Kuhn", "Schoen", "Corkery",
        "Bahringer", "Kirlin", "Boyer", "Haley", "Stroman", "Abbott", "Rau", "Gerhold", "Quitzon", "Mosciski",
        "Bechtelar", "Reichert", "Hickle", "Kemmer", "Lesch", "Monahan", "O'Keefe", "Dickinson", "Jerde", "Kris",
        "Wiza", "Turcotte", "Schumm", "Goyette", "Tromp", "Fadel", "Lowe", "Müller", "Nguyen", "García", "Rossi",
        "Dubois", "Tanaka", "Silva", "Kowalski", "Novak", "Jensen",
    ]
    private static let nouns = [
        "Diner", "Market", "Outlet", "Store", "Grocers", "Pharmacy", "Garage", "Bistro", "Boutique", "Emporium",
        "Depot", "Corner Shop", "Café", "Bakery", "Supply",
    ]
    private static let adjectives = ["Best", "Original", "Famous", "Little", "Golden", "Friendly"]

    /// A merchant name for (category, number): deterministic, mostly plain, sometimes with commas, quotes,
    /// apostrophes or accents.
    static func merchantName(category: Int, number: Int, rng: inout Xoshiro256StarStar) -> String {
        func surname() -> String { surnames[rng.nextInt(below: surnames.count)] }
        let style = rng.nextInt(below: 10)
        let base: String
        switch style {
        case 0, 1: base = "\(surname()), \(surname()) and \(surname())"
        case 2: base = "\(surname())-\(surname())"
        case 3: base = "\(surname()) LLC"
        case 4: base = "\(surname()) & Sons"
        case 5:
            base =
                "\(surname())'s \"\(adjectives[rng.nextInt(below: adjectives.count)])\" \(nouns[rng.nextInt(below: nouns.count)])"
        case 6: base = "\(nouns[rng.nextInt(below: nouns.count)]) \(surname())"
        default: base = "\(surname()) \(nouns[rng.nextInt(below: nouns.count)])"
        }
        return "\(base) #\(category * 1000 + number)"
    }
}
