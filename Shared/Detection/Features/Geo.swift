import Foundation

/// Great-circle geometry on a spherical Earth (accurate to ~0.5%, plenty for "1,240 km from the usual location").
enum Geo {
    /// Mean Earth radius in kilometres.
    static let earthRadiusKm = 6371.0088

    /// Haversine distance in kilometres between two points given in degrees.
    static func distanceKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad
        let dLon = (lon2 - lon1) * rad
        let s1 = sin(dLat / 2)
        let s2 = sin(dLon / 2)
        let a = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2
        return 2 * earthRadiusKm * asin(min(1, sqrt(a)))
    }

    /// Equirectangular approximation of the distance in kilometres, good to well under 1% up to a few hundred
    /// kilometres: enough to decide "within 50 km" without trigonometry per candidate. `cosLatitude` is the cosine
    /// of the reference latitude, computed once by the caller.
    static func approximateDistanceKm(
        _ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double, cosLatitude: Double
    ) -> Double {
        var dLon = lon2 - lon1
        if dLon > 180 { dLon -= 360 } else if dLon < -180 { dLon += 360 }
        let x = dLon * cosLatitude
        let y = lat2 - lat1
        return (x * x + y * y).squareRoot() * (Double.pi / 180) * earthRadiusKm
    }
}

/// 32-bit FNV-1a of UTF-8 bytes: a hash that is stable across processes and platforms (Swift's `Hasher` is seeded
/// per process), so user state written by one replica is read correctly by another.
enum StableHash {
    static func fnv1a32(_ s: String) -> UInt32 {
        var text = s
        return text.withUTF8 { bytes in
            var h: UInt32 = 2_166_136_261
            for b in bytes {
                h ^= UInt32(b)
                h = h &* 16_777_619
            }
            return h
        }
    }
}
