extension FaultSettings {
    /// The fault names ``init(parsing:)`` accepts.
    public static let names = ["all", "none", "transient", "poison", "duplicate", "outage", "missing-subscriber"]

    /// Parses the `--faults` flag: a comma-separated list of `all`, `none` and single faults,
    /// applied left to right.
    ///
    /// - `transient[=RATE]`, `poison[=RATE]`, `duplicate[=RATE]`: per-order probability in 0...1
    ///   (without a rate, the default of ``defaultRates``);
    /// - `outage[=SERVICE]`: SERVICE (default inventory) stops after 0.25 business days, for one day;
    /// - `missing-subscriber[=SERVICE]`: SERVICE (default account) never starts.
    ///
    /// Example: `all,poison=0`, `transient=0.1,duplicate=0.05,outage=payment,missing-subscriber=shipment`.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` naming the bad item.
    public init(parsing text: String) throws {
        self = .none
        for item in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : nil
            switch name {
            case "all": self = .all
            case "none": self = .none
            case "transient": transient = try Self.rate(name, value)
            case "poison": poison = try Self.rate(name, value)
            case "duplicate": duplicate = try Self.rate(name, value)
            case "outage": outage = Outage(service: try Self.service(name, value, default: "inventory"))
            case "missing-subscriber":
                missingSubscriber = try Self.service(name, value, default: Self.defaultMissingSubscriber)
            default:
                throw OrderFulfilmentError(
                    .invalidArgument, "unknown fault '\(name)'; use one of \(Self.names.joined(separator: ", "))"
                )
            }
        }
    }

    private static func rate(_ name: String, _ value: String?) throws -> Double {
        guard let value else { return defaultRates[name] ?? 0 }
        guard let rate = Double(value), rate >= 0, rate <= 1 else {
            throw OrderFulfilmentError(.invalidArgument, "fault rate '\(name)=\(value)' must be a number from 0 to 1")
        }
        return rate
    }

    private static func service(_ name: String, _ value: String?, default fallback: String) throws -> String {
        guard let value else { return fallback }
        let services = OrderFulfilmentSystem.services.filter { $0 != "checkout" }
        guard services.contains(value) else {
            throw OrderFulfilmentError(
                .invalidArgument, "'\(name)=\(value)': no such service; use one of \(services.joined(separator: ", "))"
            )
        }
        return value
    }
}
