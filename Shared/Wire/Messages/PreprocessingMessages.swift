public import Domain

/// `txad.v1.Preprocessing/Preprocess` request: transactions to turn into feature vectors.
public struct PreprocessRequest: Sendable, Hashable {
    /// The transactions, in the order their vectors should come back.
    public var transactions: [Transaction]

    /// Creates a request.
    public init(transactions: [Transaction] = []) {
        self.transactions = transactions
    }
}

/// `txad.v1.Preprocessing/Preprocess` response.
public struct PreprocessResponse: Sendable, Hashable {
    /// One vector per transaction, in request order.
    public var vectors: [FeatureVector]

    /// Creates a response.
    public init(vectors: [FeatureVector] = []) {
        self.vectors = vectors
    }
}
