import Domain
import Foundation

extension UserState {
    /// Folds one transaction into the state (after its features were computed from the state before it).
    ///
    /// Counters saturate instead of trapping: histogram and slot counts are halved together when one reaches
    /// `UInt16.max`, which keeps their proportions.
    mutating func fold(
        _ t: Transaction, logAmount: Double, countryKey: UInt32?, merchantKey: UInt32?, categoryKey: UInt32?
    ) {
        let ts = t.timestampMillis
        if count == 0 {
            firstMillis = ts
            lastMillis = ts
        } else {
            firstMillis = min(firstMillis, ts)
            lastMillis = max(lastMillis, ts)
        }
        if count < UInt32.max { count += 1 }
        let n = Double(count)
        let delta = logAmount - logAmountMean
        logAmountMean += delta / n
        logAmountM2 += delta * (logAmount - logAmountMean)
        amountMean += (t.amount - amountMean) / n

        let hour = TimeOfDay(millis: ts).hour
        if hourCounts[hour] == UInt16.max {
            for h in 0..<24 { hourCounts[h] /= 2 }
        }
        hourCounts[hour] += 1

        if recentMillis.count < Self.recentCapacity {
            recentMillis.append(ts)
            recentAmounts.append(Float(t.amount))
        } else {
            let i = Int(recentHead)
            recentMillis[i] = ts
            recentAmounts[i] = Float(t.amount)
            recentHead = UInt8((i + 1) % Self.recentCapacity)
        }

        if let channel = t.channel, channelCounts[channel.index] < UInt32.max { channelCounts[channel.index] += 1 }
        if let key = categoryKey {
            Self.bump(&categories, key: key, capacity: Self.categorySlots)
            if categoryObservations < UInt32.max { categoryObservations += 1 }
        }
        if let key = merchantKey {
            Self.bump(&merchants, key: key, capacity: Self.merchantSlots)
            if merchantObservations < UInt32.max { merchantObservations += 1 }
        }
        if let key = countryKey {
            Self.bump(&countries, key: key, capacity: Self.countrySlots)
            if countryObservations < UInt32.max { countryObservations += 1 }
        }

        if let lat = t.latitude, let lon = t.longitude {
            foldPlace(lat: lat, lon: lon)
            if !hasLastLocation || ts >= lastLocationMillis {
                hasLastLocation = true
                lastLatitude = lat
                lastLongitude = lon
                lastLocationMillis = ts
            }
        }
    }

    /// Counts `key` in a small top-k table; a new key replaces the least used one (the first on ties) so frequent
    /// keys stay and one-off keys churn through the last slot.
    static func bump(_ slots: inout InlineList8<Slot>, key: UInt32, capacity: Int) {
        if let i = slots.firstIndex(where: { $0.key == key }) {
            if slots[i].count == UInt16.max {
                for j in slots.indices { slots[j].count /= 2 }
            }
            slots[i].count += 1
        } else if slots.count < capacity {
            slots.append(Slot(key: key, count: 1))
        } else {
            var least = 0
            for j in slots.indices where slots[j].count < slots[least].count { least = j }
            slots[least] = Slot(key: key, count: 1)
        }
    }

    /// Moves the nearest place within ``FeatureExtractor/placeRadiusKm`` toward the point (a running mean whose
    /// step never falls below 1/51, so a move of home is followed), or starts a new place.
    private mutating func foldPlace(lat: Double, lon: Double) {
        var nearest: Int?
        var nearestKm = FeatureExtractor.placeRadiusKm
        let cosLatitude = cos(lat * Double.pi / 180)
        for i in places.indices {
            let km = Geo.approximateDistanceKm(
                lat, lon, Double(places[i].latitude), Double(places[i].longitude), cosLatitude: cosLatitude)
            if km < nearestKm {
                nearest = i
                nearestKm = km
            }
        }
        if let i = nearest {
            let step = 1 / (Double(min(places[i].weight, 50)) + 1)
            let oldLat = Double(places[i].latitude)
            let oldLon = Double(places[i].longitude)
            var dLon = lon - oldLon
            if dLon > 180 { dLon -= 360 } else if dLon < -180 { dLon += 360 }
            var newLon = oldLon + dLon * step
            if newLon > 180 { newLon -= 360 } else if newLon < -180 { newLon += 360 }
            places[i].latitude = Float(oldLat + (lat - oldLat) * step)
            places[i].longitude = Float(newLon)
            if places[i].weight == UInt16.max {
                for j in places.indices { places[j].weight /= 2 }
            }
            places[i].weight += 1
        } else if places.count < Self.placeSlots {
            places.append(Place(latitude: Float(lat), longitude: Float(lon), weight: 1))
        } else {
            var least = 0
            for j in places.indices where places[j].weight < places[least].weight { least = j }
            places[least] = Place(latitude: Float(lat), longitude: Float(lon), weight: 1)
        }
    }
}
