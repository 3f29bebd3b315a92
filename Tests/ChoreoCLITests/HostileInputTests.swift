import ChoreoModel
import Testing

@testable import ChoreoCLI

/// Hostile `--since`/`--until`, durations and filter lists: usage errors with a reason, never a trap.
@Suite("CLI parsing of hostile input")
struct HostileInputTests {
    let now = Fixtures.t0

    func usageError(_ text: String, option: String = "--since") -> CLIError? {
        #expect(throws: CLIError.self) { try DurationParser.instant(text, option: option, now: now) }
    }

    @Test(
        "times past 2262 are usage errors naming the year, not a trap or a wrapped-around time",
        arguments: [
            "2600-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2554-07-21T23:34:34Z", "2554-07-21T23:34:33.709551616Z",
            "2262-04-11T23:47:16.854775808Z", "2500-01-01T00:00:00+05:00",
        ])
    func tooLate(text: String) {
        let error = usageError(text)
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains("\"\(text)\"") == true)
        #expect(error?.message.contains("after 2") == true, "names the latest time: \(error?.message ?? "")")
    }

    @Test("the latest time a store holds is accepted")
    func latest() throws {
        #expect(try DurationParser.instant("2262-04-11T23:47:16.854775807Z", option: "--until", now: now) == UInt64(Int64.max))
    }

    @Test(
        "fields and offsets out of range are usage errors with the reason",
        arguments: [
            ("2026-01-01T00:00:00+99:99", "the offset +99:99 is out of range"),
            ("2026-01-01T00:00:00-24:00", "the offset -24:00 is out of range"),
            ("2026-02-30T00:00:00Z", "day 30 is out of range"),
            ("0000-01-01T00:00:00Z", "before 1970"),
        ])
    func outOfRange(text: String, reason: String) {
        let error = usageError(text, option: "--until")
        #expect(error?.message.contains("--until") == true)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test(
        "durations whose nanoseconds overflow are not durations",
        arguments: [
            "18446744073709551615s", "99999999999999999999999h", "106751991167301d", "5124095576030432h", "18446744073s18446744073s",
        ])
    func overflowingDuration(text: String) {
        #expect(throws: DurationTextError.self) { try DurationText.nanoseconds(text) }
        #expect(usageError(text)?.code == .usage)
    }

    @Test("a duration reaching before 1970 from now is refused, the longest one that fits is not")
    func longestDuration() throws {
        #expect(try DurationParser.instant("\(now / 1_000_000_000)s", option: "--since", now: now) == now % 1_000_000_000)
        #expect(usageError("\(now / 1_000_000_000 + 1)s") != nil)
    }

    @Test("more than 100 --type or --service values are a usage error naming the limit; 100 are fine", arguments: ["--type", "--service"])
    func tooManyValues(option: String) throws {
        let many = (0...FlowListQuery.maxListValues).map { "value\($0)" }
        func parse(_ values: [String]) throws -> FlowListQuery {
            try FlowListQuery.parse(
                status: [], since: nil, until: nil, limit: nil, now: now,
                types: option == "--type" ? values : [], services: option == "--service" ? values : []
            )
        }
        let error = #expect(throws: CLIError.self) { try parse([many.joined(separator: ",")]) }
        #expect(error?.message.contains(option) == true)
        #expect(error?.message.contains("100") == true)
        let hundred = try parse(Array(many.prefix(100)))
        #expect(hundred.types.count + hundred.services.count == 100)
        #expect(try parse(Array(repeating: "same", count: 500)).types.count <= 1, "repeats of one value count once")
    }

    @Test("more than 100 --attribute values are a usage error")
    func tooManyAttributes() throws {
        let arguments = ["traces", "search"] + (0...100).flatMap { ["--attribute", "k\($0)=v"] }
        let search = try #require(try ChoreoCommand.parseAsRoot(arguments) as? TracesSearchCommand)
        let error = #expect(throws: CLIError.self) { try search.query(now: now) }
        #expect(error?.message.contains("100") == true)
    }
}
