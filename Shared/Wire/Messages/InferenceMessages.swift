public import Domain

/// `txad.v1.Inference/Score` request: feature vectors to score.
public struct ScoreRequest: Sendable, Hashable {
    /// The vectors, in the order their scores should come back.
    public var vectors: [FeatureVector]

    /// Creates a request.
    public init(vectors: [FeatureVector] = []) {
        self.vectors = vectors
    }
}

/// `txad.v1.Inference/Score` response.
public struct ScoreResponse: Sendable, Hashable {
    /// One score per vector, in request order.
    public var scores: [Score]

    /// Creates a response.
    public init(scores: [Score] = []) {
        self.scores = scores
    }
}

/// `txad.v1.Inference/ModelInfo` request (no fields).
public struct ModelInfoRequest: Sendable, Hashable {
    /// Only the versions served and their drift (for `/stats`): no manifest JSON, no feature names.
    public var driftOnly: Bool

    /// Creates a request.
    public init(driftOnly: Bool = false) {
        self.driftOnly = driftOnly
    }
}

/// `txad.v1.Inference/ModelInfo` response: the model bundle in service.
public struct ModelInfoResponse: Sendable, Hashable {
    /// Bundle version.
    public var version: String
    /// RFC 3339 creation time of the bundle.
    public var created: String
    /// Version of the feature schema the bundle expects.
    public var featureSchemaVersion: UInt32
    /// Feature names in schema order.
    public var featureNames: [String]
    /// Calibrated ensemble threshold for `is_anomaly`.
    public var threshold: Double
    /// Ensemble weight of the Isolation Forest score.
    public var weightIsolationForest: Double
    /// Ensemble weight of the autoencoder score.
    public var weightAutoencoder: Double
    /// The bundle's whole manifest, JSON.
    public var manifestJSON: String
    /// Where the replica's models come from: `directory` or `registry`.
    public var source: String
    /// The canary version (empty without one) and its share of users in (0, 1).
    public var canaryVersion: String
    public var canaryShare: Double
    /// The shadow version, empty without one.
    public var shadowVersion: String
    /// Bundles the replica refused, `version: reason`, latest first.
    public var refused: [String]
    /// Shadow scorings dropped because the shadow fell behind, since start.
    public var shadowDropped: UInt64
    /// The score distribution of each version the replica scored since it started.
    public var drift: [VersionDrift]

    /// Creates a response.
    public init(
        version: String = "", created: String = "", featureSchemaVersion: UInt32 = 0, featureNames: [String] = [],
        threshold: Double = 0, weightIsolationForest: Double = 0, weightAutoencoder: Double = 0,
        manifestJSON: String = "", source: String = "", canaryVersion: String = "", canaryShare: Double = 0,
        shadowVersion: String = "", refused: [String] = [], shadowDropped: UInt64 = 0, drift: [VersionDrift] = []
    ) {
        self.drift = drift
        self.source = source
        self.canaryVersion = canaryVersion
        self.canaryShare = canaryShare
        self.shadowVersion = shadowVersion
        self.refused = refused
        self.shadowDropped = shadowDropped
        self.version = version
        self.created = created
        self.featureSchemaVersion = featureSchemaVersion
        self.featureNames = featureNames
        self.threshold = threshold
        self.weightIsolationForest = weightIsolationForest
        self.weightAutoencoder = weightAutoencoder
        self.manifestJSON = manifestJSON
    }
}

/// One version's calibrated scores in fixed buckets (`txad.v1.VersionDrift`), since the replica started.
public struct VersionDrift: Sendable, Hashable {
    /// The bundle version.
    public var version: String
    /// Scores observed.
    public var observed: UInt64
    /// Of which at risk ≥ medium.
    public var alerts: UInt64
    /// Per-bucket counts of the calibrated Isolation Forest scores.
    public var isolationForestBuckets: [UInt64]
    /// Per-bucket counts of the calibrated autoencoder scores.
    public var autoencoderBuckets: [UInt64]
    /// Unix milliseconds of the first observation.
    public var sinceMillis: Int64

    /// Creates a distribution.
    public init(
        version: String, observed: UInt64, alerts: UInt64, isolationForestBuckets: [UInt64],
        autoencoderBuckets: [UInt64], sinceMillis: Int64
    ) {
        self.version = version
        self.observed = observed
        self.alerts = alerts
        self.isolationForestBuckets = isolationForestBuckets
        self.autoencoderBuckets = autoencoderBuckets
        self.sinceMillis = sinceMillis
    }
}

/// `txad.v1.Inference/Reload` request.
public struct ReloadRequest: Sendable, Hashable {
    /// Version to load; empty loads the active bundle of the model directory.
    public var version: String

    /// Creates a request.
    public init(version: String = "") {
        self.version = version
    }
}

/// `txad.v1.Inference/Reload` response.
public struct ReloadResponse: Sendable, Hashable {
    /// The version served before the reload.
    public var previousVersion: String
    /// The version served now.
    public var version: String

    /// Creates a response.
    public init(previousVersion: String = "", version: String = "") {
        self.previousVersion = previousVersion
        self.version = version
    }
}
