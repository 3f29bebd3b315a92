/// The OTLP/JSON side of ``OTLPRequestScan``: one pass over the bytes that counts every object
/// as an element and every object in an array under the key `spans` as a span, without building
/// anything. It does not validate the JSON (the decoder does that next); it only has to see
/// brackets and keys right, so strings are skipped with their escapes.
///
/// A key written with escapes (`"sp\u0061ns"`) is not recognised as `spans`; such spans still
/// count as elements, which bound the memory, and the span limit is checked again after decoding.
enum OTLPJSONScan {
    static func scan(_ bytes: [UInt8], limits: OTLPRequestLimits) throws(OTLPDecodingError) -> OTLPRequestShape {
        var scanner = Scanner(limits: limits)
        let failure: OTLPDecodingError? = bytes.withUnsafeBufferPointer { buffer in
            do throws(OTLPDecodingError) {
                try scanner.run(buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return scanner.shape
    }

    private struct Container {
        var isArray: Bool
        /// For an array: it is the value of a `spans` key, so its objects are spans.
        var holdsSpans: Bool
    }

    private struct Scanner {
        let limits: OTLPRequestLimits
        var shape = OTLPRequestShape(spans: 0, elements: 0)
        var stack: [Container] = []
        /// The last string read directly inside an object: the key of the value that follows.
        var lastKeyWasSpans = false

        init(limits: OTLPRequestLimits) { self.limits = limits }

        mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) throws(OTLPDecodingError) {
            var i = 0
            while i < buffer.count {
                switch buffer[i] {
                case UInt8(ascii: "\""):
                    let start = i + 1
                    i = Self.endOfString(buffer, from: start)
                    if stack.last?.isArray == false {
                        lastKeyWasSpans = i - start == 5 && Self.equals(buffer, start, "spans")
                    }
                case UInt8(ascii: "{"):
                    try count(isSpan: stack.last.map { $0.isArray && $0.holdsSpans } ?? false)
                    try push(Container(isArray: false, holdsSpans: false))
                case UInt8(ascii: "["):
                    let holdsSpans = stack.last?.isArray == false && lastKeyWasSpans
                    try push(Container(isArray: true, holdsSpans: holdsSpans))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !stack.isEmpty { stack.removeLast() }
                    lastKeyWasSpans = false
                default:
                    break
                }
                i += 1
            }
        }

        private mutating func push(_ container: Container) throws(OTLPDecodingError) {
            guard stack.count < OTLPRequestScan.maxDepth else {
                throw OTLPDecodingError(
                    .malformedJSON, "the body nests objects and arrays deeper than \(OTLPRequestScan.maxDepth) levels")
            }
            stack.append(container)
            lastKeyWasSpans = false
        }

        private mutating func count(isSpan: Bool) throws(OTLPDecodingError) {
            shape.elements += 1
            if shape.elements > limits.maxElements { throw OTLPRequestScan.tooManyElements(limits) }
            guard isSpan else { return }
            shape.spans += 1
            if shape.spans > limits.maxSpans { throw OTLPRequestScan.tooManySpans(limits) }
        }

        /// The index of the closing quote of the string starting at `from` (or the end).
        private static func endOfString(_ buffer: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
            var i = from
            while i < buffer.count {
                switch buffer[i] {
                case UInt8(ascii: "\\"): i += 2
                case UInt8(ascii: "\""): return i
                default: i += 1
                }
            }
            return buffer.count
        }

        private static func equals(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ word: StaticString) -> Bool {
            guard start + word.utf8CodeUnitCount <= buffer.count else { return false }
            return word.withUTF8Buffer { w in
                w.indices.allSatisfy { buffer[start + $0] == w[$0] }
            }
        }
    }
}
