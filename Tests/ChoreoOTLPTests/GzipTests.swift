import ChoreoModel
@testable import ChoreoOTLP
import Testing

@Suite("gzip")
struct GzipTests {
    static func pseudoRandom(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    @Test("compress then decompress gives the input back", arguments: [0, 1, 100, 70_000, 1_000_000])
    func roundTrip(_ count: Int) throws {
        let input = Self.pseudoRandom(count, seed: UInt64(count)).map { $0 % 16 }  // compressible
        let compressed = Gzip.compress(input)
        #expect(compressed.starts(with: [0x1F, 0x8B]))  // gzip magic
        #expect(try Gzip.decompress(compressed, maxOutputBytes: count) == input)
    }

    @Test("incompressible data and every level round-trip", arguments: [Int32(0), 1, 6, 9, -5, 42])
    func levels(_ level: Int32) throws {
        let input = Self.pseudoRandom(50_000, seed: 1)
        #expect(try Gzip.decompress(Gzip.compress(input, level: level), maxOutputBytes: 50_000) == input)
    }

    @Test("concatenated gzip members decompress to the joined data")
    func members() throws {
        let a = Array("first member, ".utf8)
        let b = Array("second member".utf8)
        let joined = Gzip.compress(a) + Gzip.compress(b)
        #expect(try Gzip.decompress(joined, maxOutputBytes: 1000) == a + b)
    }

    @Test("a small bomb is stopped at the cap with tooLarge")
    func bomb() throws {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 20_000_000), level: 9)
        #expect(bomb.count < 100_000)
        #expect {
            try Gzip.decompress(bomb, maxOutputBytes: 1_000_000)
        } throws: { error in
            (error as? OTLPDecodingError)?.code == .tooLarge
        }
    }

    @Test("output of exactly the cap is accepted, one byte over is not")
    func capEdge() throws {
        let input = [UInt8](repeating: 7, count: 4096)
        let compressed = Gzip.compress(input)
        #expect(try Gzip.decompress(compressed, maxOutputBytes: 4096).count == 4096)
        #expect(throws: OTLPDecodingError.self) { try Gzip.decompress(compressed, maxOutputBytes: 4095) }
    }

    @Test(
        "invalid gzip is malformedGzip",
        arguments: [
            [], [0x1F], [0x1F, 0x8B], Array("plain text, not gzip".utf8), [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
        ] as [[UInt8]])
    func malformed(_ bytes: [UInt8]) {
        #expect {
            try Gzip.decompress(bytes, maxOutputBytes: 1 << 20)
        } throws: { error in
            (error as? OTLPDecodingError)?.code == .malformedGzip
        }
    }

    @Test("a truncated or corrupted stream is malformedGzip")
    func truncatedAndCorrupted() {
        let compressed = Gzip.compress(Self.pseudoRandom(10_000, seed: 5))
        let truncated = Array(compressed.prefix(compressed.count / 2))
        var corrupted = compressed
        corrupted[corrupted.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        for bytes in [truncated, corrupted] {
            #expect {
                try Gzip.decompress(bytes, maxOutputBytes: 1 << 20)
            } throws: { error in
                (error as? OTLPDecodingError)?.code == .malformedGzip
            }
        }
    }
}
