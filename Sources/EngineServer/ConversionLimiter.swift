/// An asynchronous counting semaphore with a bounded, first-come first-served queue.
///
///     let limiter = ConversionLimiter(permits: 2, maxWaiting: 32)
///     try await limiter.withPermit(waitIfBusy: true) { try await convert() }   // throws `.overloaded` when the queue is full
///
/// Waiting tasks are suspended, not blocked; a cancelled waiter leaves the queue.
public actor ConversionLimiter {
    public enum Failure: Error, Sendable, Hashable {
        /// Every permit is taken and the queue is full.
        case overloaded
        case cancelled
    }

    public let permits: Int
    public let maxWaiting: Int
    private var available: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private let onChange: @Sendable (_ running: Int, _ waiting: Int) -> Void

    public init(
        permits: Int, maxWaiting: Int,
        onChange: @escaping @Sendable (_ running: Int, _ waiting: Int) -> Void = { _, _ in }
    ) {
        precondition(permits > 0 && maxWaiting >= 0)
        self.permits = permits
        self.maxWaiting = maxWaiting
        self.available = permits
        self.onChange = onChange
    }

    /// Runs `body` holding a permit. With `boundedQueue`, fails at once with `.overloaded` when the
    /// queue already holds `maxWaiting` tasks; otherwise always waits (callers that bring their own
    /// back-pressure, such as one MLLP connection with one message in flight).
    public func withPermit<T: Sendable>(
        boundedQueue: Bool, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await acquire(boundedQueue: boundedQueue)
        defer { release() }
        return try await body()
    }

    public var waitingCount: Int { waiters.count }
    public var runningCount: Int { permits - available }

    private func acquire(boundedQueue: Bool) async throws {
        if available > 0 {
            available -= 1
            report()
            return
        }
        if boundedQueue && waiters.count >= maxWaiting { throw Failure.overloaded }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: Failure.cancelled)
                    return
                }
                waiters.append((id, continuation))
                report()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func release() {
        if !waiters.isEmpty {
            let next = waiters.removeFirst()
            report()
            next.continuation.resume()  // the permit passes straight to the next waiter
        } else {
            available += 1
            report()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        report()
        waiter.continuation.resume(throwing: Failure.cancelled)
    }

    private func report() { onChange(permits - available, waiters.count) }
}
