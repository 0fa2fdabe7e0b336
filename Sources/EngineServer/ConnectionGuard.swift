import NIOConcurrencyHelpers
import NIOCore

/// The open connections of one listener, with the cap on how many there are.
///
///     let guard = ConnectionGuard(listener: "mllp", maxConnections: 256, metrics: metrics)
///     guard.admit(channel)       // over the cap: the connection idle the longest is closed for it
///
/// A connection is in one phase at a time, which its protocol's handler reports (and times out:
/// `ConnectionTimer`): *waiting* for a request or frame, *reading* one, or *busy* (a conversion in
/// flight). Over the cap, a new connection takes the place of the waiting connection that has made
/// no progress for the longest time (then of the reading one that started longest ago); busy
/// connections are never closed for another, and when every connection is busy the new one is
/// closed at once. So however many connections a client holds open without using them, the slots
/// they hold go to new clients, and the process holds at most the cap of them.
final class ConnectionGuard: Sendable {
    enum Phase: Sendable, Hashable {
        /// Waiting for a request head or a frame to start (after connecting or after a reply).
        case waiting
        /// A request or frame has started and is not complete yet.
        case reading
        /// A request or frame is being converted or answered.
        case busy
    }

    enum Admission: Sendable, Hashable {
        case admitted
        /// Admitted in place of an older connection, which was closed.
        case admittedClosingAnother
        /// Every slot is busy: the new connection is closed.
        case refused
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        /// When the connection last made progress (connected, completed a reply, started a read).
        var since: NIODeadline
    }

    let listener: String
    let maxConnections: Int
    let metrics: ServerMetrics
    private let entries = NIOLockedValueBox([ObjectIdentifier: Entry]())

    init(listener: String, maxConnections: Int, metrics: ServerMetrics) {
        precondition(maxConnections > 0)
        self.listener = listener
        self.maxConnections = maxConnections
        self.metrics = metrics
    }

    /// The connections open now.
    var count: Int { entries.withLockedValue { $0.count } }

    /// Counts a new connection in, making room over the cap (see the type's description); a
    /// refused connection is closed here.
    @discardableResult
    func admit(_ channel: any Channel) -> Admission {
        let (admission, victim) = entries.withLockedValue { entries -> (Admission, (any Channel)?) in
            var victim: (any Channel)?
            if entries.count >= maxConnections {
                let candidate = entries.filter { $0.value.phase != .busy }.min { lhs, rhs in
                    (lhs.value.phase == .reading ? 1 : 0, lhs.value.since)
                        < (rhs.value.phase == .reading ? 1 : 0, rhs.value.since)
                }
                guard let candidate else { return (.refused, nil) }
                entries[candidate.key] = nil
                victim = candidate.value.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, phase: .waiting, since: .now())
            return (victim == nil ? .admitted : .admittedClosingAnother, victim)
        }
        switch admission {
        case .admitted:
            break
        case .admittedClosingAnother:
            metrics.increment("fhirbridge_connections_closed_total", labels: ["listener": listener, "reason": "cap"])
            victim?.close(promise: nil)
        case .refused:
            metrics.increment("fhirbridge_connections_refused_total", labels: ["listener": listener])
            channel.close(promise: nil)
        }
        metrics.setGauge("fhirbridge_connections_open", to: count, labels: ["listener": listener])
        return admission
    }

    /// Records a connection's new phase (a connection no longer counted is left alone).
    func enter(_ phase: Phase, _ channel: any Channel) {
        entries.withLockedValue { entries in
            let key = ObjectIdentifier(channel)
            guard var entry = entries[key] else { return }
            if entry.phase != phase && phase != .busy { entry.since = .now() }
            entry.phase = phase
            entries[key] = entry
        }
    }

    /// Counts a closed connection out.
    func remove(_ channel: any Channel) {
        let remaining = entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)] = nil
            return entries.count
        }
        metrics.setGauge("fhirbridge_connections_open", to: remaining, labels: ["listener": listener])
    }

    /// A connection closed for taking too long in a phase.
    func timedOut(_ channel: any Channel, _ kind: String) {
        metrics.increment("fhirbridge_connections_closed_total", labels: ["listener": listener, "reason": kind])
        channel.close(promise: nil)
    }
}

/// One connection's phase and its deadline, on the connection's event loop: entering a phase
/// tells the guard and (re)arms the timer that closes the connection when the phase lasts too
/// long. A stalled write (the peer stops reading our replies) has a deadline of its own.
final class ConnectionTimer {
    let connectionGuard: ConnectionGuard
    private var channel: (any Channel)?
    private var scheduled: Scheduled<Void>?
    private var stall: Scheduled<Void>?
    private(set) var phase = ConnectionGuard.Phase.waiting

    init(connectionGuard: ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    /// Counts the connection in (once, when it becomes active); `false` when it was refused.
    func activate(_ context: ChannelHandlerContext) -> Bool {
        guard channel == nil else { return true }
        channel = context.channel
        return connectionGuard.admit(context.channel) != .refused
    }

    /// Enters `phase`; the connection is closed (counted as `kind`) if it is still in it after
    /// `timeout`. `nil` means no deadline.
    func enter(_ phase: ConnectionGuard.Phase, timeout: TimeAmount?, kind: String, _ context: ChannelHandlerContext) {
        guard let channel else { return }
        scheduled?.cancel()
        scheduled = nil
        self.phase = phase
        connectionGuard.enter(phase, channel)
        guard let timeout else { return }
        let loop = context.eventLoop
        scheduled = loop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { [connectionGuard] in
            connectionGuard.timedOut(channel, kind)
        }
    }

    /// Arms (unwritable) or disarms (writable) the stalled-write deadline.
    func writabilityChanged(_ writable: Bool, timeout: TimeAmount, _ context: ChannelHandlerContext) {
        stall?.cancel()
        stall = nil
        guard !writable, let channel else { return }
        stall = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { [connectionGuard] in
            connectionGuard.timedOut(channel, "writeStalled")
        }
    }

    /// Cancels the timers and counts the connection out.
    func deactivate() {
        scheduled?.cancel()
        stall?.cancel()
        scheduled = nil
        stall = nil
        if let channel { connectionGuard.remove(channel) }
        channel = nil
    }
}
