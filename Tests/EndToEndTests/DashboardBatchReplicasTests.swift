import Domain
import EmbeddedStores
import Foundation
import Stores
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Batch analysis with two real gateway processes sharing one Redis: a CSV uploaded through one gateway has its
/// results page and CSV download served by the other, the Redis key carries the 30-minute TTL, and an unknown id is
/// a 404 on both.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DashboardBatchReplicasTests {
    @Test func batchResultsAreServedByTheOtherGateway() async throws {
        let model = try await TestModel.prepared()
        let cluster = try await LocalCluster(modelDirectory: model.modelDirectory)
        let secondPort = try Loopback.freePort()
        do {
            try await cluster.start()
            try cluster.startService("gateway", instance: "gateway-2", port: secondPort)
            let second = "http://127.0.0.1:\(secondPort)"
            try await cluster.waitFor(second + "/health", service: "gateway-2")
            try await check(cluster, first: cluster.gatewayURL, second: second, model)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// No cookie jar: the test carries the CSRF cookie itself.
    private let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration)
    }()

    private func send(_ request: URLRequest) async throws -> (String, HTTPURLResponse) {
        var request = request
        request.timeoutInterval = 60
        let (data, response) = try await session.data(for: request)
        return (String(decoding: data, as: UTF8.self), try #require(response as? HTTPURLResponse))
    }

    private func check(
        _ cluster: LocalCluster, first: String, second: String, _ model: TestModel.Prepared
    ) async throws {
        // The upload form on the first gateway: its CSRF cookie and token.
        let (form, formResponse) = try await send(URLRequest(url: URL(string: first + "/dashboard/batch")!))
        #expect(formResponse.statusCode == 200)
        let setCookie = try #require(formResponse.value(forHTTPHeaderField: "Set-Cookie"))
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        let marker = "name=\"csrf_token\" value=\""
        let start = try #require(form.range(of: marker)).upperBound
        let token = String(form[start...].prefix { $0 != "\"" })

        let rows = model.rows.prefix(40).map(\.transaction)
        var csv = "transaction_id,user_id,timestamp,amount,currency\n"
        for row in rows {
            csv += "dash-\(row.transactionID),\(row.userID),\(RFC3339.format(millis: row.timestampMillis)),"
            csv += "\(row.amount),\(row.currency)\n"
        }
        let boundary = "txadBoundary7"
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(token)\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"two.csv\"\r\n"
        body += "Content-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
        var upload = URLRequest(url: URL(string: first + "/dashboard/batch")!)
        upload.httpMethod = "POST"
        upload.httpBody = Data(body.utf8)
        upload.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        upload.setValue(cookie, forHTTPHeaderField: "Cookie")
        // The 303 is followed to the first gateway's results page.
        let (page, pageResponse) = try await send(upload)
        #expect(pageResponse.statusCode == 200, "\(page.prefix(2000))")
        let path = try #require(pageResponse.url?.path)
        #expect(path.hasPrefix("/dashboard/batch/"))
        let id = String(path.dropFirst("/dashboard/batch/".count))
        #expect(id.count == 32)

        // The other gateway serves the same page and download.
        let (other, otherResponse) = try await send(URLRequest(url: URL(string: second + path)!))
        #expect(otherResponse.statusCode == 200, "\(other.prefix(2000))")
        #expect(other.contains("two.csv"))
        #expect(other.contains("dash-\(rows[0].transactionID)"))
        let (download, downloadResponse) = try await send(URLRequest(url: URL(string: second + path + "/results.csv")!))
        #expect(downloadResponse.statusCode == 200)
        let lines = download.split(separator: "\n")
        #expect(lines.count == rows.count + 1, "a header and one line per transaction")
        for row in rows { #expect(download.contains("dash-\(row.transactionID)")) }

        // Kept in Redis for 30 minutes (one key per batch plus the index).
        let redis = try RedisClient(url: cluster.redis.url)
        defer { Task { await redis.shutdown() } }
        let keys = try await redis.command("KEYS", "txad:dashboard:batch:*").array?.compactMap(\.string) ?? []
        #expect(keys.count == 2, "\(keys)")
        for key in keys where !key.hasSuffix(":index") {
            if case .seconds(let left) = try await redis.timeToLive(key) {
                #expect(left > 1700 && left <= 1800)
            } else {
                Issue.record("\(key) has no TTL")
            }
        }

        // Unknown ids are 404 on both replicas.
        for gateway in [first, second] {
            let (_, missing) = try await send(
                URLRequest(url: URL(string: gateway + "/dashboard/batch/" + String(repeating: "0", count: 32))!))
            #expect(missing.statusCode == 404)
        }
    }
}
