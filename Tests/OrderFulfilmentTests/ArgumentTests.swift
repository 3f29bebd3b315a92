import OrderFulfilment
import Testing

@Suite("Run arguments")
struct ArgumentTests {
    @Test("--faults all injects every fault at its default rate")
    func all() throws {
        let settings = try FaultSettings(parsing: "all")
        #expect(settings == .all)
        #expect(settings.transient == 0.1 && settings.poison == 0.05 && settings.duplicate == 0.05)
        #expect(settings.outage?.service == "inventory")
        #expect(settings.missingSubscriber == "account")
    }

    @Test("single faults by name and rate, applied left to right")
    func single() throws {
        let settings = try FaultSettings(parsing: "transient=0.1,poison=0.02,duplicate=0.05,outage,missing-subscriber=shipment")
        #expect(
            settings
                == FaultSettings(
                    transient: 0.1, poison: 0.02, duplicate: 0.05, outage: .init(service: "inventory"), missingSubscriber: "shipment"
                ))
        #expect(try FaultSettings(parsing: "all,poison=0").poison == 0)
        #expect(try FaultSettings(parsing: "all,none").isNone)
        #expect(try FaultSettings(parsing: "poison").poison == 0.05)
        #expect(try FaultSettings(parsing: "outage=payment").outage?.service == "payment")
        #expect(try FaultSettings(parsing: "").isNone)
    }

    @Test(
        "bad --faults items are rejected with a message naming them",
        arguments: [
            ("latency=0.1", "latency"), ("poison=2", "poison=2"), ("transient=x", "transient=x"),
            ("outage=warehouse", "warehouse"), ("missing-subscriber=checkout", "checkout"),
        ])
    func rejected(text: String, named: String) {
        #expect(performing: { try FaultSettings(parsing: text) }, throws: Self.invalidArgument(naming: named))
    }

    /// Whether an error is an `invalidArgument` whose message contains `text`.
    static func invalidArgument(naming text: String) -> @Sendable (any Error) -> Bool {
        { error in
            guard let error = error as? OrderFulfilmentError else { return false }
            return error.code == .invalidArgument && error.message.contains(text)
        }
    }

    @Test("--mix weights scenarios; one not named is never drawn")
    func mix() throws {
        let mix = try ScenarioMix(parsing: "happy=85, vip=5,declined=10")
        #expect(mix.weights == [.happy: 85, .vip: 5, .declined: 10])
        #expect(try ScenarioMix(parsing: "happy=50,vip=10,card-updated=10,declined=10,unavailable=20") == .standard)
        #expect(try ScenarioMix(parsing: "unavailable=1,happy=0").weights[.unavailable] == 1)
    }

    @Test(
        "bad --mix items are rejected with a message naming them",
        arguments: [("lost=3", "lost"), ("happy", "happy"), ("happy=-1", "happy=-1"), ("vip=x", "vip=x"), ("happy=0", "positive"), ("", "positive")])
    func rejectedMix(text: String, named: String) {
        #expect(performing: { try ScenarioMix(parsing: text) }, throws: Self.invalidArgument(naming: named))
    }

    @Test(
        "--day takes a positive duration with a unit",
        arguments: [
            ("2s", Duration.seconds(2)), ("500ms", .milliseconds(500)), ("1.5s", .milliseconds(1_500)), ("1m", .seconds(60)), ("1h", .seconds(3_600)),
        ])
    func day(text: String, duration: Duration) throws {
        #expect(try RunArguments.duration(text) == duration)
    }

    @Test("--day rejects what is not a positive duration", arguments: ["2", "s", "-1s", "0s", "2days", ""])
    func badDay(text: String) {
        #expect(throws: OrderFulfilmentError.self) { try RunArguments.duration(text) }
    }
}
