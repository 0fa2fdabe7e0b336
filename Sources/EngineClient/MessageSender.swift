import Foundation
import MLLP
public import NIOCore

/// What became of one message: accepted, answered with an error, or never answered.
public struct DeliveryResult: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// MSA-1 (`AA`, `AE`, `AR`, `CA`, …), or for HTTP `HTTP <status>`.
        case answered(code: String, accepted: Bool)
        case failed(DeliveryFailure)
    }

    public var message: OutboundMessage
    public var outcome: Outcome
    /// ERR positions and codes (MLLP), OperationOutcome issue codes and locations (HTTP).
    public var details: [String] = []
    /// Connection attempts beyond the first.
    public var retries = 0

    public var isAccepted: Bool {
        if case .answered(_, true) = outcome { return true }
        return false
    }
}

/// Sends messages over `concurrency` connections at most `rate` messages a second in all, retrying
/// a message whose connection could not be made or dropped before its answer up to `retries`
/// times (after 100 ms, 200 ms, … on a new connection). A message whose answer did not come in time
/// is not resent: the receiver may have processed it.
public struct MessageSender: Sendable {
    public var concurrency: Int
    /// Messages a second over all connections; `nil` for as fast as answers come.
    public var rate: Double?
    public var retries: Int

    public init(concurrency: Int = 1, rate: Double? = nil, retries: Int = 3) {
        self.concurrency = max(1, concurrency)
        self.rate = rate
        self.retries = max(0, retries)
    }

    /// MLLP: each message in its own frame, its ACK read and checked (MSA-2 must name its MSH-10).
    public func send(_ messages: [OutboundMessage], to endpoint: MLLPEndpoint) async -> [DeliveryResult] {
        await run(messages) { message, connection in
            // A receiver may close the connection after each ACK (hl7apy's server does). When a kept
            // connection turns out closed, the message goes once more on a new connection, and that
            // is not one of the retries (which are for connections that cannot be made or drop).
            if let open = connection.value, !open.isActive {
                open.close()
                connection.value = nil
            }
            var reply: [UInt8]?
            if let kept = connection.value {
                do {
                    reply = try await kept.send(message.bytes)
                } catch {
                    kept.close()
                    connection.value = nil
                    guard error as? DeliveryFailure == .connectionDropped else { throw error }
                }
            }
            if reply == nil {
                let fresh = try await MLLPConnection.connect(to: endpoint)
                connection.value = fresh
                do {
                    reply = try await fresh.send(message.bytes)
                } catch {
                    fresh.close()
                    connection.value = nil
                    throw error
                }
            }
            guard let reply, let ack = HL7AcknowledgementReply(parsing: reply) else {
                connection.value?.close()
                connection.value = nil
                return DeliveryResult(message: message, outcome: .failed(.notAnAcknowledgement))
            }
            var result = DeliveryResult(message: message, outcome: .answered(code: ack.code, accepted: ack.isAccepted))
            if !message.controlID.isEmpty, ack.controlID != message.controlID {
                result.outcome = .answered(code: ack.code, accepted: false)
                result.details.append("MSA-2 does not name the message's MSH-10")
            }
            result.details += ack.errors.map { "ERR \($0)" }
            if ack.textMessageLength > 0 {
                result.details.append("MSA-3 text (\(ack.textMessageLength) bytes, not shown)")
            }
            return result
        }
    }

    /// HTTP: each message (or document) POSTed on its own connection.
    public func send(_ messages: [OutboundMessage], to endpoint: HTTPEndpoint) async -> [DeliveryResult] {
        await run(messages) { message, _ in
            try await HTTPConvertClient.post(message, to: endpoint)
        }
    }

    /// A connection a worker keeps between messages.
    final class Slot<Value>: @unchecked Sendable {
        var value: Value?
    }

    private func run(
        _ messages: [OutboundMessage],
        deliver: @escaping @Sendable (OutboundMessage, Slot<MLLPConnection>) async throws -> DeliveryResult
    ) async -> [DeliveryResult] {
        let queue = WorkQueue(count: messages.count, rate: rate)
        let retries = self.retries
        var results = [DeliveryResult?](repeating: nil, count: messages.count)
        await withTaskGroup(of: [(Int, DeliveryResult)].self) { group in
            for _ in 0..<min(concurrency, max(1, messages.count)) {
                group.addTask {
                    var done: [(Int, DeliveryResult)] = []
                    let connection = Slot<MLLPConnection>()
                    while let index = await queue.next() {
                        let message = messages[index]
                        var attempt = 0
                        while true {
                            do {
                                var result = try await deliver(message, connection)
                                result.retries = attempt
                                done.append((index, result))
                                break
                            } catch let failure as DeliveryFailure
                                where (failure == .cannotConnect || failure == .connectionDropped) && attempt < retries
                            {
                                attempt += 1
                                try? await Task.sleep(for: .milliseconds(100 * attempt))
                            } catch {
                                let failure = error as? DeliveryFailure ?? .connectionDropped
                                var result = DeliveryResult(message: message, outcome: .failed(failure))
                                result.retries = attempt
                                done.append((index, result))
                                break
                            }
                        }
                    }
                    connection.value?.close()
                    return done
                }
            }
            for await batch in group {
                for (index, result) in batch { results[index] = result }
            }
        }
        return results.compactMap { $0 }
    }
}

/// Hands out message indexes in order, each at its time slot when a rate is set.
actor WorkQueue {
    let count: Int
    let interval: Duration?
    var nextIndex = 0
    var start: ContinuousClock.Instant?

    init(count: Int, rate: Double?) {
        self.count = count
        interval = rate.flatMap { $0 > 0 ? Duration.nanoseconds(Int64(1e9 / $0)) : nil }
    }

    func next() async -> Int? {
        guard nextIndex < count else { return nil }
        let index = nextIndex
        nextIndex += 1
        if let interval {
            let origin = start ?? ContinuousClock.now
            start = origin
            let slot = origin + interval * index
            if slot > ContinuousClock.now { try? await Task.sleep(until: slot, clock: .continuous) }
        }
        return index
    }
}
