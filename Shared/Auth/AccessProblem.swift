import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// `application/problem+json` answers for refused requests (401, 403, 429).
public enum AccessProblem {
    /// A problem document response with `status`, `detail` and the request id.
    public static func response(
        status: HTTPResponse.Status, detail: String, _ context: some PrincipalRequestContext,
        headers extra: HTTPFields = [:]
    ) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"txad\"" }
        headers.append(contentsOf: extra)
        let body =
            "{\"type\":\"about:blank\",\"title\":\(JSONText.quoted(status.reasonPhrase)),\"status\":\(status.code),"
            + "\"detail\":\(JSONText.quoted(detail)),\"request_id\":\(JSONText.quoted(context.requestID))}"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
