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
    /// Nil: the default (`parentbased_always_on`), decided without a call.
    let sampler: (any Sampler)?
    let propagators: Propagators

    init(
        serviceName: String, resourceAttributes: [String: AttributeValue], scopeName: String?,
        processor: any SpanProcessor, idGenerator: IDGenerator, sampler: (any Sampler)? = nil, propagators: Propagators = .default
    ) {
        self.sampler = sampler
        self.propagators = propagators
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
        self.scopeName = scopeName
        self.processor = processor
        self.idGenerator = idGenerator
    }
}
