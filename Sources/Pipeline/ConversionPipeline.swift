import ClinicalModel
import Foundation
import PHISafety

/// The one run loop: inputs -> readers -> units -> (ledger) -> record policy -> sink. `convert`,
/// `reconcile`, `render`, `bench` and both transports of `serve` run through it.
///
///     let sink = try BundleFileSink(directory: out, emitter: engine.emitter)
///     let pipeline = ConversionPipeline(engine: engine, sink: sink, policy: policy)
///     let summary = pipeline.run(try engine.sources(paths))
///     summary.failed     // units that failed: kinds and positions in summary.errors
///
/// Per input it pulls units from the input's `UnitReader` one at a time (holding one unit ahead,
/// to know whether the input has one unit or several, as output names need). Per unit: the
/// summary counts it; a unit with a record consults the ledger when there is one (units already
/// written by a resumed checkpoint are skipped; only new and changed records go on); the record
/// policy (minimum-necessary limits, then de-identification) is applied, here and nowhere else;
/// the sink writes it; the ledger commits the unit. After the last input the sink finishes and the
/// ledger's checkpoint completes (only when nothing failed to read or write).
public struct ConversionPipeline {
    /// Something that happened during a run, for logs and progress (kinds and positions only).
    public enum Event {
        /// An input is about to be read.
        case inputStarted(SourceInput)
        /// A unit was read (converted or failed); its diagnostics are in it.
        case unit(UnitResult, input: SourceInput)
        /// An input could not be read (I/O); its remaining units are lost.
        case inputUnreadable(SourceInput)
        /// A unit's output (or its ledger entry) could not be written.
        case outputFailed(UnitResult, input: SourceInput)
    }

    public let engine: Engine
    /// Where records go; `nil` converts and counts only.
    public let sink: (any RecordSink)?
    public let policy: RecordPolicy
    public let ledger: (any CheckpointLedger)?
    /// The format of every input, or `nil` to detect each from its content.
    public let format: InputFormat?
    /// Report source positions that reached no record (`reconcile`).
    public let traceUnused: Bool
    /// Workers that parse, map, normalize and (without a ledger) apply the policy and make the
    /// sink's bytes; the sink writes in unit order, so the output is the same for any number.
    public let jobs: Int

    public init(
        engine: Engine, sink: (any RecordSink)?, policy: RecordPolicy = RecordPolicy(),
        ledger: (any CheckpointLedger)? = nil, format: InputFormat? = nil, traceUnused: Bool = false, jobs: Int = 1
    ) {
        self.engine = engine
        self.sink = sink
        self.policy = policy
        self.ledger = ledger
        self.format = format
        self.traceUnused = traceUnused
        self.jobs = max(1, jobs)
    }

    /// Runs every input through to the sink and returns the run's counts. I/O failures are in
    /// `ioErrors` (exit 74), failed units in `errors` (exit 65); neither stops the run.
    public func run(_ inputs: some Sequence<SourceInput>, now: Date = Date(), observe: (Event) -> Void = { _ in })
        -> RunSummary
    {
        var summary = RunSummary()
        var checkpoint: LedgerCheckpoint?
        if let ledger {
            do {
                checkpoint = try ledger.begin(now: now)
            } catch {
                summary.ioErrors.append("cannot open the ledger checkpoint: \(error)")
                return summary
            }
        }
        if jobs > 1 {
            runParallel(inputs, checkpoint: checkpoint, into: &summary, observe: observe)
        } else {
            for input in inputs {
                observe(.inputStarted(input))
                var reader = engine.reader(for: input, format: format, traceUnused: traceUnused)
                do {
                    var current = try reader.next()
                    var first = true
                    while let unit = current {
                        let next = try reader.next()
                        process(
                            unit, from: input, origin: origin(input, unit.index, isOnlyUnit: first && next == nil),
                            checkpoint: checkpoint, into: &summary, observe: observe)
                        current = next
                        first = false
                    }
                } catch {
                    summary.ioErrors.append("\(error)")
                    observe(.inputUnreadable(input))
                }
                summary.bytes += reader.bytesRead
            }
        }
        if let sink {
            do {
                let emitted = try sink.finish()
                summary.record(resources: emitted.resources, diagnostics: emitted.diagnostics)
            } catch {
                summary.ioErrors.append("cannot finish the output files")
            }
        }
        if let ledger, let checkpoint {
            do {
                if !ledger.completesCheckpoints {
                    // a shard: the driver completes the checkpoint over every shard's rows
                    try ledger.flush()
                    summary.ledger.checkpoint = checkpoint.id
                    summary.ledger.startedAt = checkpoint.startedAt
                } else if summary.ioErrors.isEmpty {
                    let completion = try ledger.complete(checkpoint, now: Date())
                    summary.ledger.complete(completion)
                } else {
                    // what was written stays committed: a rerun resumes after it
                    try ledger.flush()
                }
            } catch {
                summary.ioErrors.append("cannot complete the ledger checkpoint: \(error)")
            }
        }
        return summary
    }

    func origin(_ input: SourceInput, _ index: Int, isOnlyUnit: Bool) -> UnitOrigin {
        UnitOrigin(
            stem: policy.deidentifier?.pseudonymStem(input.stem) ?? input.stem, index: index, isOnlyUnit: isOnlyUnit)
    }

    /// `--jobs N`: the readers frame units in order on this thread; N workers parse, map, apply
    /// the policy and make the sink's bytes (`RecordSink.preparer`; with a ledger, which decides
    /// per unit what to write, the rest stays here); this thread then counts, writes and commits
    /// each unit in input order. At most `4 N` units are in flight, so memory stays bounded.
    func runParallel(
        _ inputs: some Sequence<SourceInput>, checkpoint: LedgerCheckpoint?, into summary: inout RunSummary,
        observe: (Event) -> Void
    ) {
        typealias Done = (unit: UnitResult, prepared: PreparedRecord?)
        let executor = OrderedExecutor<Done>(workers: jobs)
        defer { executor.shutdown() }
        let preparer = ledger == nil ? sink?.preparer : nil
        let policy = policy
        var waiting: [(input: SourceInput, origin: UnitOrigin)] = []
        var waitingStart = 0
        let window = 4 * jobs
        func complete(_ count: Int) {
            for _ in 0..<count {
                let done = executor.takeNext()
                let (input, origin) = waiting[waitingStart]
                waitingStart += 1
                process(
                    done.unit, from: input, origin: origin, checkpoint: checkpoint, into: &summary, observe: observe,
                    prepared: done.prepared)
            }
            if waitingStart > 1024 {
                waiting.removeFirst(waitingStart)
                waitingStart = 0
            }
        }
        for input in inputs {
            observe(.inputStarted(input))
            var reader = engine.reader(for: input, format: format, traceUnused: traceUnused)
            do {
                var current = try reader.nextPending()
                var first = true
                while let pending = current {
                    let next = try reader.nextPending()
                    // the unit's number is known once it has run; names need it in order, so keep the
                    // origin's other parts and take the index from the unit
                    waiting.append((input, origin(input, 0, isOnlyUnit: first && next == nil)))
                    executor.submit {
                        let unit = pending.run()
                        guard let preparer, let record = unit.record else { return (unit, nil) }
                        return (unit, preparer(policy.apply(record)))
                    }
                    if executor.inFlight >= window { complete(executor.inFlight - window + 1) }
                    current = next
                    first = false
                }
            } catch {
                complete(executor.inFlight)
                summary.ioErrors.append("\(error)")
                observe(.inputUnreadable(input))
            }
            summary.bytes += reader.bytesRead
        }
        complete(executor.inFlight)
    }

    /// One unit: count it, consult the ledger, apply the policy, write, commit. `prepared` is the
    /// record with the policy applied and the sink's bytes made (`--jobs`, no ledger).
    func process(
        _ unit: UnitResult, from input: SourceInput, origin: UnitOrigin, checkpoint: LedgerCheckpoint?,
        into summary: inout RunSummary, observe: (Event) -> Void, prepared: PreparedRecord? = nil
    ) {
        var origin = origin
        origin.index = unit.index
        summary.record(unit: unit, input: input.name)
        observe(.unit(unit, input: input))
        guard var record = unit.record, let sink else { return }
        if let prepared {
            do {
                let emitted = try sink.write(prepared, origin: origin)
                summary.record(resources: emitted.resources, diagnostics: emitted.diagnostics)
            } catch {
                summary.ioErrors.append("cannot write output for \(input.name)")
                observe(.outputFailed(unit, input: input))
            }
            return
        }
        do {
            var committed: (delta: LedgerDelta, inputDigest: String)?
            if let ledger, let checkpoint, let digest = record.document.digest {
                if try ledger.isDone(inputDigest: digest, in: checkpoint) {
                    summary.ledger.resumedUnits += 1
                    return
                }
                let named = LedgerEntry.entries(record)
                let delta = try ledger.delta(named.map(\.entry), in: checkpoint)
                summary.ledger.add(delta)
                let emitted = delta.emitted
                if emitted.isEmpty {
                    try ledger.commit(delta, inputDigest: digest, in: checkpoint)
                    return
                }
                record = record.keeping(Set(named.filter { emitted.contains($0.entry.resource) }.map(\.ref)))
                committed = (delta, digest)
            }
            let emitted = try sink.write(policy.apply(record), origin: origin)
            summary.record(resources: emitted.resources, diagnostics: emitted.diagnostics)
            if let ledger, let checkpoint, let committed {
                try ledger.commit(committed.delta, inputDigest: committed.inputDigest, in: checkpoint)
            }
        } catch let error as LedgerError {
            summary.ioErrors.append("\(error)")
            observe(.outputFailed(unit, input: input))
        } catch {
            summary.ioErrors.append("cannot write output for \(input.name)")
            observe(.outputFailed(unit, input: input))
        }
    }
}
