import CZlib

/// gzip compression with the system zlib, for `Content-Encoding: gzip` bodies.
public enum Gzip {
    /// Compresses `bytes` into one gzip member. `level` is zlib's 0 (store) to 9 (smallest);
    /// values out of range are clamped.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let level = min(max(level, 0), 9)
        // 15 window bits + 16 selects the gzip wrapper.
        let initialized = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(initialized == Z_OK, "zlib deflateInit2 failed (\(initialized)): out of memory")
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var produced = 0
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let rc = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(out.count - produced)
                    let rc = deflate(&stream, Z_FINISH)
                    produced = out.count - Int(stream.avail_out)
                    return rc
                }
                if rc == Z_STREAM_END { break }
                precondition(rc == Z_OK || rc == Z_BUF_ERROR, "zlib deflate failed (\(rc))")
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// Decompresses a gzip body (several concatenated members are joined, as gunzip does).
    ///
    /// Stops with ``OTLPDecodingError/Code/tooLarge`` as soon as the output would exceed
    /// `maxOutputBytes`, so a small "zip bomb" cannot exhaust memory; throws
    /// ``OTLPDecodingError/Code/malformedGzip`` on anything that is not valid gzip.
    public static func decompress(_ bytes: [UInt8], maxOutputBytes: Int) throws(OTLPDecodingError) -> [UInt8] {
        guard !bytes.isEmpty else {
            throw OTLPDecodingError(.malformedGzip, "the body is empty but Content-Encoding says gzip")
        }
        guard bytes.count <= Int(UInt32.max) else {
            throw OTLPDecodingError(.tooLarge, "the compressed body is larger than 4 GiB")
        }
        var inflater = Inflater(limit: max(0, maxOutputBytes), inputCount: bytes.count)
        let failure = bytes.withUnsafeBufferPointer { inflater.run($0) }
        if let failure { throw failure }
        return inflater.finish()
    }
}

/// One inflate run: zlib state plus the growing output, kept out of closures that throw.
private struct Inflater {
    let limit: Int
    var output: [UInt8]
    var produced = 0

    /// The most the output may grow to: one byte past the limit is how an oversize body is
    /// detected (saturating, for an unlimited `Int.max`).
    let capacityLimit: Int

    init(limit: Int, inputCount: Int) {
        self.limit = limit
        capacityLimit = limit == .max ? .max : limit + 1
        // Start near a typical compression ratio; grow by doubling up to capacityLimit.
        output = [UInt8](repeating: 0, count: min(capacityLimit, max(inputCount.multipliedReportingOverflow(by: 4).partialValue, 1024)))
    }

    mutating func run(_ input: UnsafeBufferPointer<UInt8>) -> OTLPDecodingError? {
        var stream = z_stream()
        // 15 window bits + 32: accept a gzip (or zlib) header, detected automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return OTLPDecodingError(.malformedGzip, "zlib could not start inflating (out of memory)")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = uInt(input.count)
        while true {
            if produced == output.count {
                let grown = min(capacityLimit, output.count * 2)
                if grown <= output.count { return tooLarge() }
                grow(to: grown)
            }
            let rc = output.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress! + produced
                stream.avail_out = uInt(out.count - produced)
                let rc = inflate(&stream, Z_NO_FLUSH)
                produced = out.count - Int(stream.avail_out)
                return rc
            }
            if produced > limit { return tooLarge() }
            switch rc {
            case Z_STREAM_END:
                if stream.avail_in == 0 { return nil }
                // Another gzip member follows.
                guard inflateReset(&stream) == Z_OK else { return malformed(stream, "cannot read the next gzip member") }
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                return OTLPDecodingError(.malformedGzip, "the gzip stream is truncated (ended after \(input.count) bytes)")
            case Z_BUF_ERROR:
                continue  // the output is full; it grows at the top of the loop
            default:
                return malformed(stream, "not a valid gzip stream")
            }
        }
    }

    /// A larger zeroed buffer with what was produced so far copied in (a memset and a memcpy,
    /// not an element-wise append).
    private mutating func grow(to count: Int) {
        var grown = [UInt8](repeating: 0, count: count)
        let produced = produced
        grown.withUnsafeMutableBufferPointer { target in
            output.withUnsafeBufferPointer { source in
                target.baseAddress!.update(from: source.baseAddress!, count: produced)
            }
        }
        output = grown
    }

    mutating func finish() -> [UInt8] {
        output.removeLast(output.count - produced)
        return output
    }

    private func tooLarge() -> OTLPDecodingError {
        OTLPDecodingError(.tooLarge, "the decompressed body exceeds the limit of \(limit) bytes; send smaller batches")
    }

    private func malformed(_ stream: z_stream, _ what: String) -> OTLPDecodingError {
        let detail = stream.msg.map { String(cString: $0) } ?? "no detail from zlib"
        return OTLPDecodingError(.malformedGzip, "\(what): \(detail)")
    }
}
