import ChoreoOTLP
import Foundation
import Hummingbird

/// How to answer an error a route threw: a status, a message a client can act on, and when to
/// retry (`Retry-After` seconds), if ever.
public struct ErrorAnswer: Sendable, Hashable {
    public var status: HTTPResponse.Status
    public var message: String
    public var retryAfter: String?

    /// Creates an answer.
    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: String? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }
}

/// Gives every error answer a body a client can read: `{"error": "..."}` (application/json),
/// or an OTLP `Status` in the request's format on the OTLP paths (`POST /v1/traces`).
///
/// - A thrown `HTTPError` keeps its status and headers, its message becomes the body.
/// - Another thrown error is answered as ``classify`` says (e.g. a store failure: 503), else
///   500 naming the error; either is logged.
/// - A 4xx or 5xx answer without a body (an unknown route's 404, an auth or a framework
///   refusal) gets one naming its status.
///
/// Add it to the router first (`router.add(middleware:)`), before any route, so it wraps
/// every route and the not-found answer.
public struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The answer to a thrown error that is not an `HTTPResponseError`; nil for 500.
    public typealias Classifier = @Sendable (any Error) -> ErrorAnswer?

    let otlpPaths: Set<String>
    let classify: Classifier

    /// - Parameters:
    ///   - otlpPaths: paths whose errors are OTLP `Status` messages rather than JSON.
    ///   - classify: the answer to an error of the application (store, I/O); nil for 500.
    public init(otlpPaths: Set<String> = ["/v1/traces"], classify: @escaping Classifier = { _ in nil }) {
        self.otlpPaths = otlpPaths
        self.classify = classify
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let answer = self.answer(to: error, request: request)
            if answer.status.code >= 500 {
                context.logger.error(
                    "\(request.method) \(request.uri.path) failed",
                    metadata: [
                        "status": "\(answer.status.code)", "error": "\(error)",
                    ])
            }
            var headers = (error as? HTTPError)?.headers ?? HTTPFields()
            if let retryAfter = answer.retryAfter { headers[.retryAfter] = retryAfter }
            return body(answer.status, answer.message, headers: headers, request: request)
        }
        guard response.status.code >= 400, response.body.contentLength == 0 else { return response }
        return body(response.status, Self.message(for: response.status, request), headers: response.headers, request: request)
    }

    /// The status and message of a thrown error.
    func answer(to error: any Error, request: Request) -> ErrorAnswer {
        if let error = error as? HTTPError {
            return ErrorAnswer(error.status, error.body ?? Self.message(for: error.status, request))
        }
        if let answer = classify(error) { return answer }
        if let error = error as? any HTTPResponseError {
            return ErrorAnswer(error.status, "\(error.status.reasonPhrase.lowercased()): \(error)")
        }
        return ErrorAnswer(.internalServerError, "internal error while answering \(request.method) \(request.uri.path): \(error)")
    }

    /// A message for an answer that came without one.
    static func message(for status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: "no route for \(request.method) \(request.uri.path)"
        case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)"
        default: status.reasonPhrase.lowercased()
        }
    }

    /// The answer with `message` as its body, in the form the path calls for.
    func body(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields, request: Request) -> Response {
        var headers = headers
        let bytes: [UInt8]
        if otlpPaths.contains(request.uri.path) {
            let answer = OTLPHTTP.statusBody(contentType: request.headers[.contentType], code: Self.grpcCode(status), message: message)
            bytes = answer.body
            headers[.contentType] = answer.contentType
        } else {
            bytes = Array((try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"unknown"}"#.utf8))
            headers[.contentType] = "application/json"
        }
        headers[.contentLength] = nil
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The gRPC status code an OTLP `Status` carries for an HTTP status.
    static func grpcCode(_ status: HTTPResponse.Status) -> Int32 {
        switch status.code {
        case 400: 3  // INVALID_ARGUMENT
        case 401: 16  // UNAUTHENTICATED
        case 403: 7  // PERMISSION_DENIED
        case 404, 405: 12  // UNIMPLEMENTED (no such endpoint)
        case 413, 429: 8  // RESOURCE_EXHAUSTED
        case 503: 14  // UNAVAILABLE
        case 500...: 13  // INTERNAL
        default: 2  // UNKNOWN
        }
    }
}
