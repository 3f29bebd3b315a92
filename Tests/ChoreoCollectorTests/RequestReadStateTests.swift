@testable import ChoreoServer
import Testing

@Suite("Request read state")
struct RequestReadStateTests {
    @Test("the first bytes start the header timer, the head the body timer, the end stops it; more bytes change nothing")
    func oneRequest() {
        var state = RequestReadState()
        #expect(state.bytesReceived() == .startHeaderTimer)
        #expect(state.bytesReceived() == .none, "a trickled head keeps its first deadline")
        #expect(state.headReceived() == .startBodyTimer)
        #expect(state.bytesReceived() == .none)
        #expect(state.endReceived() == .stopTimer)
        #expect(state.phase == .idle)
        #expect(state.bytesReceived() == .startHeaderTimer, "the next request gets a deadline of its own")
    }

    @Test("an answer of our own is allowed only while no response is owed")
    func mayAnswer() {
        var state = RequestReadState()
        #expect(state.mayAnswer)
        _ = state.bytesReceived()
        _ = state.headReceived()
        _ = state.endReceived()
        #expect(!state.mayAnswer, "the handler still owes this request its response")
        _ = state.bytesReceived()
        #expect(!state.mayAnswer, "a pipelined head timing out must not jump the queue")
        state.responseEnded()
        #expect(state.mayAnswer)
    }
}
