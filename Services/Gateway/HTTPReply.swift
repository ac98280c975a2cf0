import HTTPTypes
import Hummingbird
import NIOCore

/// The response and body helpers every route file of the gateway shares.
enum HTTPReply {
    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ body: [UInt8], headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// An `application/problem+json` response (with `Retry-After` when the problem carries one).
    static func problem(_ problem: ProblemDetails) -> Response {
        var headers: HTTPFields = [.contentType: ProblemDetails.contentType]
        if let retry = problem.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        return Response(
            status: .init(code: problem.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: problem.json())))
    }

    /// The request body, at most `limit` bytes (413 beyond, 400 when it cannot be read).
    static func collect(_ request: Request, limit: Int, requestID: String) async -> Result<[UInt8], ProblemDetails> {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return .success(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(.tooLarge("the body is larger than \(limit) bytes", requestID: requestID))
        } catch {
            return .failure(.badRequest("could not read the body: \(error)", requestID: requestID))
        }
    }

    /// 415 unless the request has no `Content-Type` or one of `accepted`.
    static func unsupportedType(_ request: Request, accepted: [String], requestID: String) -> ProblemDetails? {
        guard let type = request.headers[.contentType]?.lowercased() else { return nil }
        if accepted.contains(where: { type.hasPrefix($0) }) { return nil }
        return .unsupportedMediaType(
            "Content-Type \(type) is not accepted here; use \(accepted.joined(separator: " or "))",
            requestID: requestID)
    }
}
