/// The W3C `tracestate` header: an ordered list of vendor key/value members.
///
/// Parsing follows the grammar of Trace Context Level 2 (W3C, https://www.w3.org/TR/trace-context-2/,
/// sections "list", "key" and "value"), which widens Level 1's keys: a key starts with a
/// lower-case letter or a digit, `@` may appear anywhere after that, and a key has at most 256
/// characters. Every Level 1 key is a Level 2 key.
///
/// The specification allows a vendor to drop a whole `tracestate` it cannot parse; this parser
/// loses the least instead: an invalid member, an over-long one or a repeated key costs only
/// that member, and the valid members are kept in order. Beyond 32 valid members, members are
/// dropped from the right, as the specification says of a list that grows too long.
/// Left-most is most recent: ``setting(key:value:)`` moves the key it writes to the front.
public struct TraceState: Hashable, Sendable {
    /// One `key=value` list member.
    public struct Member: Hashable, Sendable {
        /// The vendor key, e.g. `congo` or `tenant@system`.
        public var key: String
        /// The opaque value.
        public var value: String

        /// A member; use ``TraceState/setting(key:value:)`` to add one with validation.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The most members a list may hold.
    public static let maxMembers = 32

    /// The members, left-most (most recently written) first.
    public private(set) var members: [Member]

    /// An empty list.
    public init() {
        members = []
    }

    /// Parses a `tracestate` header value, keeping every valid member.
    ///
    /// Members are separated by commas with optional spaces or tabs around them; empty
    /// members are skipped. A member is dropped, and only that member, when it has no `=`, its
    /// key or value is outside the grammar (``isValidKey(_:)``, ``isValidValue(_:)``) or its key
    /// already appeared to its left (the left-most copy is the most recent one). Once 32 members
    /// are kept, the rest of the header is ignored (dropped from the right). An empty or wholly
    /// invalid header yields an empty list.
    public init(_ header: some StringProtocol) {
        var members: [Member] = []
        let text = String(header)
        for segment in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            if members.count == Self.maxMembers { break }
            let member = Self.trimmingOWS(segment)
            guard !member.isEmpty, let eq = member.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = member[..<eq]
            let value = member[member.index(after: eq)...]
            guard Self.isValidKey(key), Self.isValidValue(value) else { continue }
            let keyString = String(decoding: key, as: UTF8.self)
            guard !members.contains(where: { $0.key == keyString }) else { continue }
            members.append(Member(key: keyString, value: String(decoding: value, as: UTF8.self)))
        }
        self.members = members
    }

    /// True when the list has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The header value: `key=value` members joined by commas, no whitespace.
    public var headerValue: String {
        members.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The value of `key`, if present.
    public subscript(key: String) -> String? {
        members.first { $0.key == key }?.value
    }

    /// The value of `key`, if present (the same lookup, spelled `state[key: "congo"]`).
    public subscript(key key: String) -> String? {
        self[key]
    }

    /// A copy with `key` set to `value` and moved to the front, as the spec requires of a
    /// mutated member. When the list would exceed 32 members, the right-most is removed.
    /// An invalid key or value leaves the list unchanged.
    public func setting(key: String, value: String) -> TraceState {
        guard Self.isValidKey(key.utf8), Self.isValidValue(value.utf8) else { return self }
        var copy = self
        copy.members.removeAll { $0.key == key }
        copy.members.insert(Member(key: key, value: value), at: 0)
        if copy.members.count > Self.maxMembers { copy.members.removeLast() }
        return copy
    }

    /// A copy without `key`.
    public func removing(key: String) -> TraceState {
        var copy = self
        copy.members.removeAll { $0.key == key }
        return copy
    }
}

extension TraceState: CustomStringConvertible {
    /// The header value.
    public var description: String { headerValue }
}

extension TraceState {
    /// True when `key` is a Trace Context Level 2 key.
    ///
    /// key = ( lcalpha / DIGIT ) 0*255 ( keychar );
    /// keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@". So `tenant@system` keys, a digit
    /// first and `@` anywhere after the first character are all valid; at most 256 characters.
    public static func isValidKey(_ key: some Collection<UInt8>) -> Bool {
        var count = 0
        for c in key {
            let lower = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")
            let digit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            if count > 0 {
                let symbol =
                    c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "/")
                    || c == UInt8(ascii: "@")
                guard lower || digit || symbol else { return false }
            } else {
                guard lower || digit else { return false }
            }
            count += 1
            if count > maxKeyLength { return false }
        }
        return count >= 1
    }

    /// The longest key: one first character and up to 255 more.
    public static let maxKeyLength = 256

    /// True when `value` is 1 to 256 printable ASCII characters (0x20–0x7E) other than
    /// `,` and `=`, not ending in a space.
    ///
    /// value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr.
    public static func isValidValue(_ value: some Collection<UInt8>) -> Bool {
        var count = 0
        var last: UInt8 = 0
        for c in value {
            guard c >= 0x20, c <= 0x7E, c != UInt8(ascii: ","), c != UInt8(ascii: "=") else { return false }
            count += 1
            if count > 256 { return false }
            last = c
        }
        return count >= 1 && last != 0x20
    }

    /// Drops optional whitespace (spaces and tabs) at both ends.
    private static func trimmingOWS<S: BidirectionalCollection<UInt8>>(_ bytes: S) -> S.SubSequence {
        let isOWS: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isOWS($0) }),
            let last = bytes.lastIndex(where: { !isOWS($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first...last]
    }
}
