import ChoreoTestSupport
import ChoreoAgent
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Agent error answers have a body")
struct AgentErrorBodyTests {
    static func agent() -> AgentApp<TestClock> {
        AgentApp(configuration: AgentConfiguration(), sender: FakeSender(), clock: TestClock(.manual), logger: Logger(label: "t"))
    }

    @Test("an unknown route answers 404 with a JSON body naming it")
    func unknownRoute() async throws {
        try await Application(router: Self.agent().makeRouter()).test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json")
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                #expect(json?["error"] == "no route for GET /nope")
            }
        }
    }

    @Test("a bodiless refusal on /v1/traces is an OTLP Status in protobuf when the request was protobuf")
    func otlpStatus() async throws {
        try await Application(router: Self.agent().makeRouter()).test(.router) { client in
            try await client.execute(uri: "/v1/traces", method: .get, headers: [.contentType: OTLPHTTP.protobufContentType]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == OTLPHTTP.protobufContentType)
                #expect(response.body.readableBytes > 0)
            }
        }
    }
}
