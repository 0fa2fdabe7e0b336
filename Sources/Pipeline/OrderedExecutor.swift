import Foundation

/// Runs submitted work on a fixed number of threads and hands the results back in submission
/// order (`convert --jobs N`): the caller submits, then takes results one by one, oldest first.
///
///     let executor = OrderedExecutor<Int>(workers: 2)
///     executor.submit { 1 + 1 }
///     executor.takeNext()     // 2, once it has run
///     executor.shutdown()
final class OrderedExecutor<Result: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(number: Int, work: @Sendable () -> Result)] = []
    private var queueStart = 0
    private var results: [Int: Result] = [:]
    private var submitted = 0
    private var taken = 0
    private var stopping = false
    private let finished = DispatchGroup()

    init(workers: Int) {
        for _ in 0..<max(1, workers) {
            finished.enter()
            let thread = Thread { [self] in
                work()
                finished.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Work submitted and not yet taken.
    var inFlight: Int { submitted - taken }

    func submit(_ work: @escaping @Sendable () -> Result) {
        condition.lock()
        queue.append((submitted, work))
        submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// The result of the oldest work not yet taken, waiting for it.
    func takeNext() -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[taken] == nil { condition.wait() }
        let result = results.removeValue(forKey: taken)!
        taken += 1
        return result
    }

    /// Lets the workers finish the queue and stop; returns when they have.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func work() {
        while true {
            condition.lock()
            while queueStart == queue.count && !stopping { condition.wait() }
            if queueStart == queue.count {
                condition.unlock()
                return
            }
            let (number, job) = queue[queueStart]
            queueStart += 1
            if queueStart > 1024 {
                queue.removeFirst(queueStart)
                queueStart = 0
            }
            condition.unlock()
            let result = job()
            condition.lock()
            results[number] = result
            condition.broadcast()
            condition.unlock()
        }
    }
}
