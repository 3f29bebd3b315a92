/// Span attributes as they were set: key/value pairs in order, nothing hashed.
///
/// A span's attributes are written on every span and looked up almost never before export, so
/// instrumentation on a hot path (`TracedBus`) builds them as a list: one allocation, no key
/// hashed. A key given again replaces the earlier value (the last one wins), as a dictionary
/// write would; ``merge(into:)`` resolves that once, when the span is exported.
public struct AttributeList: Sendable, Hashable {
    /// One attribute.
    public struct Element: Sendable, Hashable {
        public var key: String
        public var value: AttributeValue

        public init(key: String, value: AttributeValue) {
            self.key = key
            self.value = value
        }
    }

    /// The attributes in the order they were set (a key may appear more than once).
    public private(set) var elements: [Element]

    /// An empty list with room for `minimumCapacity` attributes.
    public init(minimumCapacity: Int = 0) {
        elements = []
        if minimumCapacity > 0 { elements.reserveCapacity(minimumCapacity) }
    }

    /// True when no attribute was set.
    public var isEmpty: Bool { elements.isEmpty }

    /// How many attributes were set, repeated keys counted each time.
    public var count: Int { elements.count }

    /// Sets `key` to `value` (after any earlier value of `key`, which it replaces).
    public mutating func append(_ key: String, _ value: AttributeValue) {
        elements.append(Element(key: key, value: value))
    }

    /// Appends every attribute of `other`, in order.
    public mutating func append(contentsOf other: AttributeList) {
        if elements.isEmpty {
            elements = other.elements
        } else {
            elements.append(contentsOf: other.elements)
        }
    }

    /// The value of `key`: the last one set, or `nil`.
    public func value(forKey key: String) -> AttributeValue? {
        for index in elements.indices.reversed() where elements[index].key == key { return elements[index].value }
        return nil
    }

    /// Writes the attributes into `dictionary` in order, so the last value of each key wins.
    public func merge(into dictionary: inout [String: AttributeValue]) {
        for element in elements { dictionary[element.key] = element.value }
    }
}

/// A span that takes attributes as an ``AttributeList``, in one call and without a dictionary.
///
/// The seam between instrumentation and a tracer that stores attributes as they come: `TracedBus`
/// hands a span that adopts it the list it built (keys are hashed once, when the span is
/// exported); any other span gets the same attributes through the tracing API's dictionary.
public protocol AttributeListRecorder: AnyObject, Sendable {
    /// Adds `attributes` to the span's attributes, as if each were set in order (a key set before
    /// gets the new value). Ignored after the span ended.
    func record(_ attributes: AttributeList)
}
