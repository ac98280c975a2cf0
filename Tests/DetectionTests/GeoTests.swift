import Foundation
import Testing

@testable import Detection

@Suite struct GeoTests {
    @Test func knownDistances() {
        // Paris–London 343.5 km, New York–Los Angeles 3,936 km, across the antimeridian Fiji–Samoa ~1,150 km.
        #expect(abs(Geo.distanceKm(48.8566, 2.3522, 51.5074, -0.1278) - 343.5) < 1.5)
        #expect(abs(Geo.distanceKm(40.7128, -74.0060, 34.0522, -118.2437) - 3936) < 10)
        #expect(abs(Geo.distanceKm(-18.1248, 178.4501, -13.8333, -171.7667) - 1150) < 30)
        #expect(Geo.distanceKm(10, 20, 10, 20) == 0)
    }

    @Test func approximationAgreesNearby() {
        var rng = Xoshiro256StarStar(seed: 2)
        for _ in 0..<1000 {
            let lat = rng.nextUnit() * 160 - 80
            let lon = rng.nextUnit() * 360 - 180
            var lon2 = lon + (rng.nextUnit() - 0.5)
            if lon2 > 180 { lon2 -= 360 } else if lon2 < -180 { lon2 += 360 }
            let lat2 = min(max(lat + (rng.nextUnit() - 0.5) * 0.8, -90), 90)
            let exact = Geo.distanceKm(lat, lon, lat2, lon2)
            let approximate = Geo.approximateDistanceKm(lat, lon, lat2, lon2, cosLatitude: cos(lat * .pi / 180))
            #expect(abs(approximate - exact) <= 0.01 * exact + 0.5, "\(lat),\(lon) → \(lat2),\(lon2)")
        }
    }

    @Test func stableHashIsFixed() {
        // FNV-1a test vectors: stored states depend on these never changing.
        #expect(StableHash.fnv1a32("") == 0x811C_9DC5)
        #expect(StableHash.fnv1a32("a") == 0xE40C_292C)
        #expect(StableHash.fnv1a32("foobar") == 0xBF9C_F968)
    }
}
