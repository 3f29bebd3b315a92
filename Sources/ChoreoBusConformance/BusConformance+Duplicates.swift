import ChoreoInstrumentation

extension BusConformance {
    /// A message whose ``InMemoryBus/duplicateDeliveryHeader`` lists a group is delivered to that
    /// group once more after it was handled, as when a broker loses an acknowledgement: with the
    /// next attempt number and the header without the group, and only once. A group not listed
    /// gets it once; a listed group whose handler failed first gets the duplicate after its
    /// successful retry, not after the failure.
    public func duplicateOnRequest() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("duplicate")
            let listed = Probe<Delivery>()
            let other = Probe<Delivery>()
            let retried = Probe<Delivery>()
            let markers = Probe<String>()
            let marker = Self.message(topic, 2)
            try await bus.subscribe(topic: topic, group: "listed") { delivery in
                if delivery.message == marker { return markers.append("listed") }
                listed.append(delivery)
            }
            try await bus.subscribe(topic: topic, group: "other") { delivery in
                if delivery.message == marker { return markers.append("other") }
                other.append(delivery)
            }
            try await bus.subscribe(topic: topic, group: "retried") { delivery in
                if delivery.message == marker { return markers.append("retried") }
                retried.append(delivery)
                if delivery.attempt == 1 { throw ConformanceFailure("planned failure before the duplicate") }
            }
            var sent = Self.message(topic, 1)
            sent.headers[InMemoryBus.duplicateDeliveryHeader] = "nobody, listed,retried"
            try await bus.publish(sent)
            _ = try await listed.wait(for: 2, "the delivery and its duplicate to the listed group")
            _ = try await retried.wait(for: 3, "the failed attempt, the retry and its duplicate")
            _ = try await other.wait(for: 1, "the delivery to the group not listed")
            try await waitUntilNothingPending(bus)
            // A later message arrives after anything the first one could still cause, so a second
            // duplicate would show below.
            try await bus.publish(marker)
            _ = try await markers.wait(for: 3, "the later message in every group")
            try await waitUntilNothingPending(bus)

            let ofSent = { (probe: Probe<Delivery>) in probe.values }
            let copyHeader = { (delivery: Delivery) in delivery.message.headers[InMemoryBus.duplicateDeliveryHeader] }
            let first = ofSent(listed)
            try check(first.map(\.attempt) == [1, 2], "the listed group got attempts 1 and 2 (the duplicate once), got \(first.map(\.attempt))")
            try check(first[0].message == sent, "the first delivery is the message as published: \(first[0].message)")
            try check(
                copyHeader(first[1]) == "nobody,retried" && first[1].message.body == sent.body,
                "the duplicate no longer lists the group: \(copyHeader(first[1]) ?? "no header")")
            var unlisted = sent
            unlisted.headers[InMemoryBus.duplicateDeliveryHeader] = "nobody,retried"
            try check(first[1].message == unlisted, "the duplicate is the message but for the header: \(first[1].message)")
            let others = ofSent(other)
            try check(others.map(\.attempt) == [1] && others[0].message == sent, "the group not listed got the message once: \(others.map(\.attempt))")
            let retries = ofSent(retried)
            try check(retries.map(\.attempt) == [1, 2, 3], "failed attempt 1, handled attempt 2, duplicate attempt 3: got \(retries.map(\.attempt))")
            try check(
                retries.count == 3 && copyHeader(retries[1]) == sent.headers[InMemoryBus.duplicateDeliveryHeader] && copyHeader(retries[2]) == "nobody,listed",
                "the retry still asks for the duplicate, the duplicate does not: \(retries.map(copyHeader))")
            try check(try await fixture.deadLetters(bus).filter { $0.message.topic == topic }.isEmpty, "no dead letters")
        }
    }
}
