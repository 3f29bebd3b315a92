import ChoreoInstrumentation

extension NATSBus {
    /// How topics, groups and a system map onto JetStream names.
    ///
    /// - stream `SYSTEM` holds subjects `SYSTEM.TOPIC` (a topic's dots are subject token separators);
    /// - a group's subscription to a topic is the durable pull consumer ``durable(group:topic:)``;
    /// - dead letters go to subject `SYSTEM_dead.DURABLE` of the stream `SYSTEM_dead`;
    /// - failed attempt counts live in the key-value bucket `SYSTEM_attempts`, key `DURABLE.STREAMSEQ`.
    struct Names: Sendable, Hashable {
        let system: String

        var stream: String { system }
        var streamSubjects: String { "\(system).>" }
        var deadLetterStream: String { "\(system)_dead" }
        var deadLetterSubjects: String { "\(deadLetterStream).>" }
        var attemptsBucket: String { "\(system)_attempts" }

        /// The subject of `topic`.
        ///
        /// - Throws: ``NATSBusError`` `invalidTopic` when the topic cannot be a subject.
        func subject(topic: String) throws -> String {
            let tokens = topic.split(separator: ".", omittingEmptySubsequences: false)
            let valid =
                !topic.isEmpty && topic.utf8.count <= 200 && tokens.allSatisfy { !$0.isEmpty }
                && topic.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "*" && $0 != ">" }
            guard valid else {
                throw NATSBusError(
                    .invalidTopic, "topic '\(topic)' cannot be a NATS subject: use up to 200 characters, no spaces, '*' or '>', and no empty '.'-separated part"
                )
            }
            return "\(system).\(topic)"
        }

        /// The durable consumer of `group` on `topic`: both names with anything but letters,
        /// digits, `_` and `-` replaced by `_` (cut to 40 characters each), and a hash of the
        /// exact pair, so distinct pairs never share a consumer.
        func durable(group: String, topic: String) -> String {
            func safe(_ text: String) -> String {
                String(String.UnicodeScalarView(text.unicodeScalars.prefix(40).map { Self.isNameCharacter($0) ? $0 : "_" }))
            }
            var hash: UInt32 = 2_166_136_261
            for byte in Array(group.utf8) + [0] + Array(topic.utf8) {
                hash = (hash ^ UInt32(byte)) &* 16_777_619
            }
            let hex = String(hash, radix: 16)
            return "\(safe(group))__\(safe(topic))_\(String(repeating: "0", count: 8 - hex.count))\(hex)"
        }

        /// The dead-letter subject of a consumer.
        func deadLetterSubject(durable: String) -> String { "\(deadLetterStream).\(durable)" }

        /// The attempt bucket's key of one message in one consumer.
        func attemptsKey(durable: String, streamSequence: UInt64) -> String { "\(durable).\(streamSequence)" }

        static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }

        static func isName(_ name: String, limit: Int) -> Bool {
            !name.isEmpty && name.unicodeScalars.count <= limit && name.unicodeScalars.allSatisfy(isNameCharacter)
        }
    }
}
