import ChoreoOTLP
import Foundation
import Hummingbird

/// Lets a request through only when it carries `Authorization: Bearer <token>` with the
/// expected token; otherwise answers 401 with `WWW-Authenticate: Bearer` and a short body.
///
/// The token is compared in constant time. Add it to a route group (`router.group().add(middleware:)`)
/// so it guards exactly the routes added to that group; health endpoints are left outside.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// How the 401 body is written.
    public enum Style: Sendable {
        /// An OTLP `Status` in the request's format (protobuf or JSON), for `POST /v1/traces`.
        case otlp
        /// `{"error": "..."}`, for the JSON API and `/metrics`.
        case json
    }

    package let token: AccessToken
    package let style: Style
    package let onRejected: @Sendable () -> Void

    /// - Parameter onRejected: called once per refused request (to count it).
    public init(token: AccessToken, style: Style, onRejected: @escaping @Sendable () -> Void = {}) {
        self.token = token
        self.style = style
        self.onRejected = onRejected
    }

    /// Calls `next` when the request presents the token; answers 401 otherwise.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Self.bearerCredential(request.headers[.authorization]) else {
            onRejected()
            return unauthorized(request, challenge: "Bearer", message: "missing bearer token: send Authorization: Bearer <token>")
        }
        guard token.matches(presented.utf8) else {
            onRejected()
            return unauthorized(request, challenge: "Bearer error=\"invalid_token\"", message: "invalid bearer token")
        }
        return try await next(request, context)
    }

    /// The credential of an `Authorization: Bearer <credential>` header (scheme matched case-insensitively).
    package static func bearerCredential(_ header: String?) -> Substring? {
        AccessToken.bearerCredential(header)
    }

    private func unauthorized(_ request: Request, challenge: String, message: String) -> Response {
        let answer: (body: [UInt8], contentType: String)
        switch style {
        case .otlp:
            answer = OTLPHTTP.statusBody(contentType: request.headers[.contentType], message: message)
        case .json:
            let data = (try? JSONEncoder().encode(["error": message])) ?? Data()
            answer = (Array(data), "application/json")
        }
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        headers[.wwwAuthenticate] = challenge
        return Response(status: .unauthorized, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
