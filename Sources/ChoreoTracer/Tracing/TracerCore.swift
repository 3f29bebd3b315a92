import ChoreoModel

/// What every span of one tracer shares: the resource, the processor and the id generator.
///
/// One allocation per tracer, referenced by each span, so a span carries one pointer instead
/// of copies of the resource.
final class TracerCore: Sendable {
    let serviceName: String
    let resourceAttributes: [String: AttributeValue]
    let scopeName: String?
    let processor: any SpanProcessor
    let idGenerator: IDGenerator

    init(
        serviceName: String, resourceAttributes: [String: AttributeValue], scopeName: String?,
        processor: any SpanProcessor, idGenerator: IDGenerator
    ) {
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
        self.scopeName = scopeName
        self.processor = processor
        self.idGenerator = idGenerator
    }
}
