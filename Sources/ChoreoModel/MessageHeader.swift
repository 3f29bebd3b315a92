/// Header names of a message on the wire: a CloudEvent in binary mode (lower case), plus ours.
public enum MessageHeader {
    /// Unique id of this message (CloudEvents `id`).
    public static let id = "id"
    /// Event or command type (CloudEvents `type`).
    public static let type = "type"
    /// The publishing service (CloudEvents `source`).
    public static let source = "source"
    public static let traceparent = "traceparent"
    public static let tracestate = "tracestate"
    public static let baggage = "baggage"
    /// The business transaction (flow) this message belongs to (CloudEvents Correlation extension).
    public static let correlationID = "correlationid"
    /// The `id` of the message whose handling caused this one.
    public static let causationID = "causationid"
    /// On a compensating message, the `id` of the forward step it undoes.
    public static let compensates = "compensates"

    /// Aliases accepted on extract for ``correlationID``.
    public static let correlationIDAliases = ["correlationid", "correlation-id", "x-correlation-id"]
    /// Aliases accepted on extract for ``causationID``.
    public static let causationIDAliases = ["causationid", "causation-id"]
}
