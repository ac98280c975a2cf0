import Auth
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The gateway's own REST routes, called in-process with the page request's context (same principal, same
/// request id): the review queue, alert log and model registry pages send the exact request a REST client would
/// and render the answer, so the API's validation, role checks, idempotency and problem documents apply unchanged.
///
/// The gateway builds it from a router holding the routes it exposes to the dashboard; the dashboard never imports
/// the gateway.
public struct DashboardAPI<Context: PrincipalRequestContext>: Sendable {
    private let respond: @Sendable (Request, Context) async throws -> Response

    /// Wraps `responder` (e.g. `router.buildResponder()` of a router with the review and model routes).
    public init<Responder: HTTPResponder & Sendable>(_ responder: Responder) where Responder.Context == Context {
        self.respond = { request, context in try await responder.respond(to: request, context: context) }
    }

    /// Wraps a closure answering requests (tests).
    public init(respond: @escaping @Sendable (Request, Context) async throws -> Response) {
        self.respond = respond
    }

    /// Largest answer read back (a full page of alerts with long notes stays well below).
    static var maximumAnswerBytes: Int { 8 << 20 }

    /// Sends `method path` (path with its query string) with an optional JSON body and extra headers; the answer's
    /// status and bytes. A thrown error or an oversized answer becomes a 502 problem.
    func call(
        _ method: HTTPRequest.Method, _ path: String, json: [UInt8]? = nil, headers extra: HTTPFields = [:],
        context: Context
    ) async -> DashboardReply {
        var headers = extra
        if json != nil { headers[.contentType] = "application/json" }
        let head = HTTPRequest(
            method: method, scheme: "http", authority: "dashboard", path: path, headerFields: headers)
        let request = Request(head: head, body: .init(buffer: ByteBuffer(bytes: json ?? [])))
        do {
            let response = try await respond(request, context)
            let sink = AnswerSink(limit: Self.maximumAnswerBytes)
            try await response.body.write(AnswerWriter(sink: sink))
            guard !sink.overflowed else { return Self.failure("the API's answer to \(path) is too large") }
            return DashboardReply(status: Int(response.status.code), body: sink.bytes)
        } catch {
            return Self.failure("the API could not answer \(method) \(path): \(error)")
        }
    }

    private static func failure(_ detail: String) -> DashboardReply {
        let body = "{\"title\":\"Bad gateway\",\"status\":502,\"detail\":\(JSONText.quoted(detail))}"
        return DashboardReply(status: 502, body: Array(body.utf8))
    }
}

/// Collects a response body (used by one task only).
private final class AnswerSink {
    let limit: Int
    var bytes: [UInt8] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }
}

/// A `ResponseBodyWriter` appending to an ``AnswerSink``.
private struct AnswerWriter: ResponseBodyWriter {
    let sink: AnswerSink

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard sink.bytes.count + buffer.readableBytes <= sink.limit else {
            sink.overflowed = true
            return
        }
        sink.bytes.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
