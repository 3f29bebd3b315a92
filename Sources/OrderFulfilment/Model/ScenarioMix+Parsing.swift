extension ScenarioMix {
    /// Parses the `--mix` flag: comma-separated `SCENARIO=WEIGHT` items (non-negative integers),
    /// relative to each other; a scenario not named is never drawn. Example:
    /// `happy=85,vip=5,card-updated=4,declined=3,unavailable=3` (a shop where one order in twelve
    /// goes wrong; ``standard`` is `happy=50,vip=10,card-updated=10,declined=10,unavailable=20`).
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` naming the bad item, or saying that no
    ///   weight is positive.
    public init(parsing text: String) throws {
        var weights: [Scenario: Int] = [:]
        let names = Scenario.allCases.map(\.rawValue).joined(separator: ", ")
        for item in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard let scenario = Scenario(rawValue: parts[0]) else {
                throw OrderFulfilmentError(.invalidArgument, "unknown scenario '\(parts[0])' in --mix; use \(names)")
            }
            guard parts.count == 2, let weight = Int(parts[1]), weight >= 0 else {
                throw OrderFulfilmentError(.invalidArgument, "--mix item '\(item)' needs a weight, a whole number from 0, e.g. \(parts[0])=10")
            }
            weights[scenario] = weight
        }
        guard weights.values.contains(where: { $0 > 0 }) else {
            throw OrderFulfilmentError(.invalidArgument, "--mix '\(text)' gives no scenario a positive weight; e.g. happy=90,unavailable=10")
        }
        self.init(weights: weights)
    }
}
