extension UserState {
    /// The compact binary encoding (little-endian, version byte first; about 600 bytes for an active user).
    ///
    /// Floating-point values are stored bit-exactly, so features computed from a deserialized state equal those
    /// computed from the original (the online/offline parity rule).
    public func serialized() -> [UInt8] {
        var w = BinaryWriter(capacity: 640)
        w.write(Self.formatVersion)
        w.write(count)
        w.write(firstMillis)
        w.write(lastMillis)
        w.write(logAmountMean)
        w.write(logAmountM2)
        w.write(amountMean)
        for c in hourCounts { w.write(c) }
        w.write(UInt8(recentMillis.count))
        w.write(recentHead)
        for i in recentMillis.indices {
            w.write(recentMillis[i])
            w.write(recentAmounts[i])
        }
        for c in channelCounts { w.write(c) }
        for (slots, observations) in [
            (categories, categoryObservations), (merchants, merchantObservations),
            (countries, countryObservations),
        ] {
            w.write(UInt8(slots.count))
            for s in slots {
                w.write(s.key)
                w.write(s.count)
            }
            w.write(observations)
        }
        w.write(UInt8(places.count))
        for p in places {
            w.write(p.latitude)
            w.write(p.longitude)
            w.write(p.weight)
        }
        w.write(hasLastLocation)
        if hasLastLocation {
            w.write(lastLatitude)
            w.write(lastLongitude)
            w.write(lastLocationMillis)
        }
        return w.bytes
    }

    /// Decodes ``serialized()`` output, refusing another format version, truncated or trailing bytes and values
    /// no real state can hold (with ``DetectionError/Code/unsupportedVersion`` or ``DetectionError/Code/corruptState``).
    public init(serialized bytes: [UInt8]) throws(DetectionError) {
        var r = BinaryReader(bytes, code: .corruptState, what: "user state")
        let version = try r.readUInt8()
        guard version == Self.formatVersion else {
            throw DetectionError(
                .unsupportedVersion,
                "user state has format version \(version), this build reads version \(Self.formatVersion); "
                    + "clear the stored state or run a matching preprocessing service")
        }
        self.init()
        count = try r.readUInt32()
        firstMillis = try r.readInt64()
        lastMillis = try r.readInt64()
        logAmountMean = try r.readDouble()
        logAmountM2 = try r.readDouble()
        amountMean = try r.readDouble()
        guard logAmountMean.isFinite, logAmountM2.isFinite, logAmountM2 >= 0, amountMean.isFinite,
            firstMillis <= lastMillis
        else { throw r.failure("has inconsistent running statistics") }
        for h in 0..<24 { hourCounts[h] = try r.readUInt16() }
        let recent = Int(try r.readUInt8())
        recentHead = try r.readUInt8()
        guard recent <= Self.recentCapacity, Int(recentHead) < max(recent, 1), recent <= Int(count) else {
            throw r.failure("has an invalid recent-transaction ring (\(recent) entries, head \(recentHead))")
        }
        for _ in 0..<recent {
            recentMillis.append(try r.readInt64())
            let amount = try r.readFloat()
            guard amount.isFinite, amount >= 0 else { throw r.failure("has an invalid recent amount") }
            recentAmounts.append(amount)
        }
        for c in 0..<3 { channelCounts[c] = try r.readUInt32() }
        (categories, categoryObservations) = try Self.readSlots(&r, capacity: Self.categorySlots, name: "category")
        (merchants, merchantObservations) = try Self.readSlots(&r, capacity: Self.merchantSlots, name: "merchant")
        (countries, countryObservations) = try Self.readSlots(&r, capacity: Self.countrySlots, name: "country")
        let placeCount = Int(try r.readUInt8())
        guard placeCount <= Self.placeSlots else { throw r.failure("has \(placeCount) places, at most 3") }
        for _ in 0..<placeCount {
            let p = Place(latitude: try r.readFloat(), longitude: try r.readFloat(), weight: try r.readUInt16())
            guard abs(p.latitude) <= 90, abs(p.longitude) <= 180 else { throw r.failure("has an invalid place") }
            places.append(p)
        }
        hasLastLocation = try r.readBool()
        if hasLastLocation {
            lastLatitude = try r.readDouble()
            lastLongitude = try r.readDouble()
            lastLocationMillis = try r.readInt64()
            guard abs(lastLatitude) <= 90, abs(lastLongitude) <= 180 else {
                throw r.failure("has an invalid last location")
            }
        }
        try r.expectEnd()
    }

    private static func readSlots(_ r: inout BinaryReader, capacity: Int, name: String) throws(DetectionError) -> (
        InlineList8<Slot>, UInt32
    ) {
        let n = Int(try r.readUInt8())
        guard n <= capacity else { throw r.failure("has \(n) \(name) slots, at most \(capacity)") }
        var slots = InlineList8<Slot>(filler: Slot(key: 0, count: 0))
        for _ in 0..<n { slots.append(Slot(key: try r.readUInt32(), count: try r.readUInt16())) }
        let observations = try r.readUInt32()
        return (slots, observations)
    }
}
