import ChoreoModel

extension FlowExport {
    /// Flows as an XES event log (IEEE 1849), loadable by PM4Py, ProM, Disco and Celonis.
    ///
    /// One trace per flow (`concept:name` = correlation id), one event per step in step order
    /// (``FlowTrail``): `concept:name` = message type, `org:resource` = publisher,
    /// `time:timestamp` = publish time (microseconds, UTC), `lifecycle:transition` = `complete`.
    /// Within a trace, timestamps strictly increase: an event published in the same microsecond
    /// as the one before is stamped one microsecond later, so any tool that sorts events by time
    /// keeps our order and discovers exactly the edges of ``ProcessMap``. Values are XML-escaped.
    public static func xes(_ trails: some Sequence<FlowTrail>) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
              <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
              <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
              <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
              <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
              <global scope="trace">
                <string key="concept:name" value="__INVALID__"/>
              </global>
              <global scope="event">
                <string key="concept:name" value="__INVALID__"/>
                <string key="lifecycle:transition" value="complete"/>
              </global>
              <classifier name="Activity" keys="concept:name"/>
              <string key="concept:name" value="Choreoscope flows"/>

            """
        for trail in trails {
            out += "  <trace>\n    <string key=\"concept:name\" value=\"\(ExportEscaping.xml(trail.correlationID))\"/>\n"
            var previous: UInt64?
            for event in trail.steps {
                var micros = event.publishedAtUnixNano / 1000
                if let previous, micros <= previous { micros = previous + 1 }
                previous = micros
                out += "    <event>\n"
                out += "      <string key=\"concept:name\" value=\"\(ExportEscaping.xml(event.type))\"/>\n"
                out += "      <string key=\"org:resource\" value=\"\(ExportEscaping.xml(event.service))\"/>\n"
                out += "      <date key=\"time:timestamp\" value=\"\(xesTime(micros: micros))\"/>\n"
                out += "      <string key=\"lifecycle:transition\" value=\"complete\"/>\n"
                out += "    </event>\n"
            }
            out += "  </trace>\n"
        }
        return out + "</log>\n"
    }

    /// `2026-11-21T23:55:41.123456+00:00`.
    static func xesTime(micros: UInt64) -> String {
        let base = UnixTime.rfc3339(micros * 1000)  // ...T23:55:41.123Z
        let fraction = String(micros % 1_000_000)
        let six = String(repeating: "0", count: 6 - fraction.count) + fraction
        return String(base.prefix(19)) + "." + six + "+00:00"
    }
}
