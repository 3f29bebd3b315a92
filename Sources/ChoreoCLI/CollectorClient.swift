import AsyncHTTPClient
import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import NIOSSL

/// The collector's JSON query API over HTTP, returning decoded models.
///
/// Owns its `HTTPClient`: use ``withClient(_:timeoutSeconds:_:)``, which shuts it down on every
/// path. The client creates no spans (its tracer is set to nil), so querying never feeds traces
/// back into the system being observed. Failures are ``CLIError``s: `unreachable` when no
/// answer came, `notFound` for an unknown id, `unexpectedResponse` for anything off-contract.
public struct CollectorClient: Sendable {
    /// The largest answer body read, 64 MiB.
    public static let maxBodyBytes = 64 << 20
    /// The largest flow answer read: a flow of 100,000 steps is about 70 MB of JSON.
    public static let maxFlowBodyBytes = 1 << 30

    /// Where requests go and which token they carry.
    public let endpoint: CollectorEndpoint
    private let http: HTTPClient
    private let timeoutSeconds: Int64

    private init(endpoint: CollectorEndpoint, http: HTTPClient, timeoutSeconds: Int64) {
        self.endpoint = endpoint
        self.http = http
        self.timeoutSeconds = timeoutSeconds
    }

    /// Runs `body` with a client for `endpoint` and shuts the HTTP client down afterwards.
    ///
    /// - Parameter tls: how an `https://` endpoint is reached (the CA to trust, a client
    ///   certificate); nil: the system's trust store and no client certificate.
    public static func withClient<Result: Sendable>(
        _ endpoint: CollectorEndpoint,
        tls: TLSConfiguration? = nil,
        timeoutSeconds: Int64 = 30,
        _ body: (CollectorClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        // A failed connection or handshake (an untrusted certificate) is reported at once, not
        // retried until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tracing.tracer = nil
        configuration.timeout = .init(connect: .seconds(min(timeoutSeconds, 10)), read: .seconds(timeoutSeconds))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = CollectorClient(endpoint: endpoint, http: http, timeoutSeconds: timeoutSeconds)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
        return result
    }

    /// `GET /api/v1/flows`: summaries of the flows matching `query`.
    public func flows(_ query: FlowListQuery) async throws -> [FlowSummary] {
        let url = endpoint.flowsURL(query)
        let (status, body) = try await get(url)
        return try CollectorResponse.decode([FlowSummary].self, status: status, body: body, url: url, notFound: nil)
    }

    /// `GET /api/v1/flows/{id}`: one flow rebuilt from its spans.
    public func flow(correlationID: String) async throws -> Flow {
        let url = endpoint.flowURL(correlationID: correlationID)
        let (status, body) = try await get(url, upTo: Self.maxFlowBodyBytes)
        // The direct reader decodes a flow of 100,000 steps in a fraction of JSONDecoder's time;
        // JSONDecoder still words what is wrong with a body the reader refuses.
        if status == 200, let flow = Flow(jsonBytes: body) { return flow }
        return try CollectorResponse.decode(
            Flow.self, status: status, body: body, url: url,
            notFound: "no flow with correlation id \"\(correlationID)\""
        )
    }

    /// `GET /api/v1/flows/{id}` as `--json` prints it: the collector's compact JSON (same
    /// contract, keys sorted) laid out by ``JSONOutput/prettyPrinted(compact:)`` without
    /// decoding it; errors as ``flow(correlationID:)`` reports them.
    public func flowJSON(correlationID: String) async throws -> String {
        let url = endpoint.flowURL(correlationID: correlationID)
        let (status, body) = try await get(url, upTo: Self.maxFlowBodyBytes)
        guard status == 200 else {
            _ = try CollectorResponse.decode(
                Flow.self, status: status, body: body, url: url,
                notFound: "no flow with correlation id \"\(correlationID)\""
            )
            throw CLIError(.unexpectedResponse, "the collector at \(url) answered with status \(status)")
        }
        return JSONOutput.prettyPrinted(compact: body)
    }

    /// `GET /api/v1/traces/{id}`: every span of one trace.
    public func trace(_ traceID: TraceID) async throws -> TraceDocument {
        let url = endpoint.traceURL(traceID)
        let (status, body) = try await get(url)
        return try CollectorResponse.decode(
            TraceDocument.self, status: status, body: body, url: url,
            notFound: "no trace with id \(traceID.hex)"
        )
    }

    /// One GET: the status and the whole body, or `unreachable` when no answer came.
    func get(_ url: String, upTo limit: Int = maxBodyBytes) async throws(CLIError) -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        if let token = endpoint.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(timeoutSeconds))
        } catch {
            throw CLIError(.unreachable, "cannot reach the collector at \(endpoint.baseURL): \(ConnectionErrorText.describe(error))")
        }
        do {
            let buffer = try await response.body.collect(upTo: limit)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw CLIError(.unexpectedResponse, "reading the answer of the collector at \(url) failed: \(ConnectionErrorText.describe(error))")
        }
    }
}
