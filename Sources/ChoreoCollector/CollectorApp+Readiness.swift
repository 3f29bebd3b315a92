import ChoreoServer
import Foundation
import Hummingbird

extension CollectorApp {
    /// `GET /readyz`: 200 `ready` while the collector takes spans and its store works; 503 with
    /// `{"error": "..."}` once graceful shutdown began or while the store's reads or commits
    /// fail, so a load balancer sends elsewhere. (`/healthz` only says the process answers.)
    ///
    /// While the store is failing, each call probes it first (one read, one commit that changes
    /// nothing), so a store that recovered is reported ready although nobody sends it spans.
    func readiness() async -> Response {
        guard writer.isAccepting else { return Self.notReady("shutting down") }
        await trackedStore.probeIfFailing()
        let failures = storeHealth.failures
        guard failures.isEmpty else {
            return Self.notReady("the span store is failing: " + failures.map(\.description).joined(separator: "; "))
        }
        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
    }

    private static func notReady(_ reason: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(["error": reason])) ?? Data()
        return Response(status: .serviceUnavailable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
