/// The W3C `tracestate` header: an ordered list of vendor key/value members.
///
/// Parsing follows the Trace Context Level 1 grammar strictly; an invalid header yields
/// `nil` and the caller drops `tracestate` altogether (the spec forbids using a partial list).
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

    /// Parses a `tracestate` header value; `nil` when it is invalid by the specification.
    ///
    /// Members are separated by commas with optional spaces or tabs around them; empty
    /// members are skipped. Invalid: a key or value outside the grammar, more than 32
    /// members, or the same key twice. An empty header is valid and yields an empty list.
    public init?(_ header: some StringProtocol) {
        var members: [Member] = []
        let text = String(header)
        for segment in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let member = Self.trimmingOWS(segment)
            if member.isEmpty { continue }
            guard let eq = member.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let key = member[..<eq]
            let value = member[member.index(after: eq)...]
            guard Self.isValidKey(key), Self.isValidValue(value), members.count < Self.maxMembers else { return nil }
            let keyString = String(decoding: key, as: UTF8.self)
            guard !members.contains(where: { $0.key == keyString }) else { return nil }
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
    /// True when `key` is a Level 1 key: `simple-key` or `tenant-id@system-id`.
    ///
    /// simple-key = lcalpha 0*255(keychar); tenant-id = (lcalpha / DIGIT) 0*240(keychar);
    /// system-id = lcalpha 0*13(keychar); keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/".
    public static func isValidKey(_ key: some Collection<UInt8>) -> Bool {
        guard let at = key.firstIndex(of: UInt8(ascii: "@")) else {
            return isIdentifier(key, maxLength: 256, digitFirst: false)
        }
        let tenant = key[..<at]
        let system = key[key.index(after: at)...]
        return isIdentifier(tenant, maxLength: 241, digitFirst: true)
            && isIdentifier(system, maxLength: 14, digitFirst: false)
    }

    /// True when `value` is 1 to 256 printable ASCII characters (0x20–0x7E) other than
    /// `,` and `=`, not ending in a space.
    public static func isValidValue(_ value: some Collection<UInt8>) -> Bool {
        var count = 0
        var last: UInt8 = 0
        for c in value {
            guard c >= 0x20, c <= 0x7E, c != UInt8(ascii: ","), c != UInt8(ascii: "=") else { return false }
            count += 1
            last = c
        }
        return count >= 1 && count <= 256 && last != 0x20
    }

    private static func isIdentifier(_ id: some Collection<UInt8>, maxLength: Int, digitFirst: Bool) -> Bool {
        var count = 0
        for c in id {
            let lower = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")
            let digit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            if count == 0 {
                guard lower || (digitFirst && digit) else { return false }
            } else {
                let symbol = c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "/")
                guard lower || digit || symbol else { return false }
            }
            count += 1
            if count > maxLength { return false }
        }
        return count >= 1
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
