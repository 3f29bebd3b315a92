import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("Palette")
struct PaletteTests {
    @Test(
        "colour only on a terminal with NO_COLOR unset",
        arguments: [
            ([String: String](), true, true),
            (["NO_COLOR": "1"], true, false),
            (["NO_COLOR": ""], true, false),
            ([:], false, false),
            (["NO_COLOR": "1"], false, false),
        ])
    func decision(environment: [String: String], isTerminal: Bool, expected: Bool) {
        #expect(Palette.forOutput(environment: environment, isTerminal: isTerminal).isEnabled == expected)
    }

    @Test("a disabled palette returns text unchanged; an enabled one wraps it in SGR codes")
    func paint() {
        #expect(Palette.plain.paint("stuck", .magenta) == "stuck")
        #expect(Palette.plain.status(.failed) == "failed")
        #expect(Palette(isEnabled: true).paint("stuck", .magenta) == "\u{1B}[35mstuck\u{1B}[0m")
        #expect(Palette(isEnabled: true).paint("", .red) == "")
    }

    @Test("renderers emit no escape codes with NO_COLOR set, even on a terminal")
    func renderersPlain() {
        let palette = Palette.forOutput(environment: ["NO_COLOR": "1"], isTerminal: true)
        let flow = Fixtures.flow(
            [
                Fixtures.step(
                    "m1", "OrderPlaced", from: "checkout", at: 0,
                    deliveries: [Fixtures.delivery("order", .deadLettered, attempts: 3, error: "boom")])
            ],
            status: .failed)
        let outputs = [
            FlowTreeRenderer(palette: palette).render(flow),
            FlowTableRenderer(palette: palette).render([Fixtures.summary("x", .stuck)]),
            TraceTreeRenderer(palette: palette).render(
                traceID: Fixtures.traceID,
                spans: [
                    Fixtures.span(1, "send orders", start: 0, end: 1, status: .error, message: "x")
                ]),
        ]
        for output in outputs { #expect(!output.contains("\u{1B}")) }
    }
}
