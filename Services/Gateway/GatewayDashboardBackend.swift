import Dashboard

/// The dashboard's view of the gateway: each call runs the same code as the REST route of the same name, so pages
/// show exactly the API's answers and validation messages.
struct GatewayDashboardBackend: DashboardBackend {
    let routes: GatewayRoutes

    var limits: DashboardLimits {
        DashboardLimits(
            maximumBatchItems: routes.configuration.maximumBatchItems,
            maximumBatchBytes: routes.configuration.maximumBatchBodyBytes)
    }

    func stats(requestID: String) async -> DashboardReply {
        Self.reply(await routes.statsReply(requestID: requestID).map { Array($0.utf8) })
    }

    func modelInfo(requestID: String) async -> DashboardReply {
        Self.reply(await routes.modelInfoReply(requestID: requestID).map { Array($0.utf8) })
    }

    func predict(json: [UInt8], requestID: String) async -> DashboardReply {
        Self.reply(await routes.predictReply(json, requestID: requestID))
    }

    func predictBatch(csv: [UInt8], requestID: String) async -> DashboardReply {
        Self.reply(await routes.predictBatchReply(csv, isCSV: true, requestID: requestID))
    }

    private static func reply(_ result: Result<[UInt8], ProblemDetails>) -> DashboardReply {
        switch result {
        case .success(let body): DashboardReply(status: 200, body: body)
        case .failure(let problem): DashboardReply(status: problem.status, body: Array(problem.json().utf8))
        }
    }
}
