import ChoreoModel

/// The CloudEvents metadata of a message, read tolerantly from its headers: aliases are
/// accepted and empty values count as absent. Never fails, whatever the header values.
struct MessageMetadata: Sendable, Hashable {
    var id: String?
    var type: String?
    var source: String?
    var correlationID: String?
    var causationID: String?
    var compensates: String?

    init(headers: [String: String]) {
        func value(_ name: String) -> String? {
            if let value = headers[name], !value.isEmpty { return value }
            return nil
        }
        func value(_ names: [String]) -> String? {
            for name in names {
                if let value = headers[name], !value.isEmpty { return value }
            }
            return nil
        }
        id = value(MessageHeader.id)
        type = value(MessageHeader.type)
        source = value(MessageHeader.source)
        correlationID = value(MessageHeader.correlationIDAliases)
        causationID = value(MessageHeader.causationIDAliases)
        compensates = value(MessageHeader.compensates)
    }
}
