extension String {
    /// The string without leading and trailing spaces and horizontal tabs (optional whitespace).
    func trimmingSpacesAndTabs() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }), let last = lastIndex(where: { !isOWS($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
