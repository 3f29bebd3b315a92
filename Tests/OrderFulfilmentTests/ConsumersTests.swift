import OrderFulfilment
import Testing

@Suite("Who consumes what")
struct ConsumersTests {
    @Test("the consumers read off the services match the message table of each style")
    func table() async throws {
        let commanded = try await OrderFulfilmentSystem.consumers(style: .commanded)
        #expect(commanded["OrderPlaced"] == ["order"])
        #expect(commanded["PaymentDeclined"] == ["account"])
        #expect(commanded["RefundPayment"] == ["payment"])
        #expect(commanded["GoodsReserved"] == nil)
        #expect(commanded["OrderCompleted"] == ["notification"])
        let chain = try await OrderFulfilmentSystem.consumers(style: .chain)
        #expect(chain["OrderPlaced"] == ["payment", "inventory"])
        #expect(chain["GoodsReleased"] == ["order"])
        #expect(chain["RetrievePayment"] == nil)
        #expect(chain["PaymentReceived"] == ["shipment"])
    }
}
