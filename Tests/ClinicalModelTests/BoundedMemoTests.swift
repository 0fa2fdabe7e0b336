import ClinicalModel
import Dispatch
import Testing

/// `BoundedMemo`: the shared, bounded memo behind the derived-id and terminology caches.
@Suite struct BoundedMemoTests {
    @Test func remembersAndStartsAgainWhenFull() {
        let memo = BoundedMemo<String, Int>(capacity: 2)
        memo["a"] = 1
        memo["b"] = 2
        #expect(memo["a"] == 1 && memo["b"] == 2 && memo.count == 2)
        memo["a"] = 10  // replacing a held key does not empty it
        #expect(memo.count == 2 && memo["a"] == 10)
        memo["c"] = 3  // a third key does
        #expect(memo.count == 1 && memo["c"] == 3 && memo["a"] == nil)
        memo["c"] = nil
        #expect(memo.count == 0)
    }

    @Test func computesOnlyWhatItDoesNotHold() {
        let memo = BoundedMemo<Int, Int>(capacity: 8)
        var calls = 0
        for _ in 0..<3 {
            #expect(
                memo.value(for: 7) {
                    calls += 1
                    return 49
                } == 49)
        }
        #expect(calls == 1)
    }

    @Test func isSafeAcrossThreads() {
        let memo = BoundedMemo<Int, Int>(capacity: 64)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<2_000 {
                let key = (index * 31 + worker) % 200
                #expect(memo.value(for: key) { key * key } == key * key)
            }
        }
        #expect(memo.count <= 64)
    }
}
