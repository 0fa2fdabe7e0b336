import Foundation

/// Sorts more fixed-size entries than memory should hold: entries are buffered up to `runCapacity`,
/// each full buffer is sorted and written to a run file in `directory`, and `sorted()` merges the
/// runs (and the last buffer) back in order. Memory is bounded by one buffer while adding and by a
/// block per run while merging, whatever the number of entries; a run that fits one buffer never
/// touches the disk.
///
///     var sorter = try ExternalSorter<Key>(directory: spill, runCapacity: 1 << 18)
///     for key in keys { try sorter.add(key) }
///     var merged = try sorter.sorted()
///     while let key = try merged.next() { … }            // ascending; equal entries in adding order
///
/// Entries are written as their raw bytes (`BitwiseCopyable`), so they must not hold references.
/// Run files are removed when the sorter is released.
struct ExternalSorter<Entry: BitwiseCopyable & Comparable> {
    let directory: URL
    let runCapacity: Int
    private var buffer: [Entry] = []
    private var runs: [URL] = []
    private(set) var count = 0
    private let cleanup: RunFiles

    /// Removes the run files when the last copy of the sorter goes.
    final class RunFiles {
        var urls: [URL] = []
        deinit { for url in urls { try? FileManager.default.removeItem(at: url) } }
    }

    /// - Parameters:
    ///   - directory: where run files go (created when the first run is written).
    ///   - runCapacity: entries held before a run is written.
    init(directory: URL, runCapacity: Int) {
        self.directory = directory
        self.runCapacity = max(runCapacity, 16)
        cleanup = RunFiles()
    }

    /// Whether runs went to disk.
    var spilled: Bool { !runs.isEmpty }

    mutating func add(_ entry: Entry) throws {
        buffer.append(entry)
        count += 1
        if buffer.count >= runCapacity { try spill() }
    }

    /// Sorts the buffer and writes it as a run file.
    private mutating func spill() throws {
        guard !buffer.isEmpty else { return }
        buffer.sort()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("run-\(runs.count)")
        let data = buffer.withUnsafeBytes { Data($0) }
        try data.write(to: url)
        runs.append(url)
        cleanup.urls.append(url)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Every entry added, ascending; equal entries come out in the order they were added only when
    /// the entry's own ordering says so (include a sequence number in `Entry` to make it total).
    func sorted() throws -> Merged {
        var sources: [Source] = []
        for url in runs { sources.append(.file(try RunReader(url: url))) }
        if !buffer.isEmpty { sources.append(.memory(buffer.sorted()[...])) }
        return Merged(sources: sources, keepAlive: cleanup)
    }

    enum Source {
        case file(RunReader)
        case memory(ArraySlice<Entry>)

        mutating func next() throws -> Entry? {
            switch self {
            case .memory(var slice):
                guard let first = slice.popFirst() else { return nil }
                self = .memory(slice)
                return first
            case .file(var reader):
                let entry = try reader.next()
                self = .file(reader)
                return entry
            }
        }
    }

    /// Reads a run file a block at a time.
    struct RunReader {
        static var blockEntries: Int { max(1, 64 * 1024 / MemoryLayout<Entry>.stride) }
        let handle: FileHandle
        var block: [Entry] = []
        var position = 0

        init(url: URL) throws { handle = try FileHandle(forReadingFrom: url) }

        mutating func next() throws -> Entry? {
            if position == block.count {
                let stride = MemoryLayout<Entry>.stride
                guard let data = try handle.read(upToCount: Self.blockEntries * stride), !data.isEmpty else {
                    try? handle.close()
                    return nil
                }
                let count = data.count / stride
                block = [Entry](unsafeUninitializedCapacity: count) { storage, initialized in
                    data.withUnsafeBytes { raw in
                        UnsafeMutableRawBufferPointer(storage).copyMemory(
                            from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * stride)]))
                    }
                    initialized = count
                }
                position = 0
            }
            defer { position += 1 }
            return block[position]
        }
    }

    /// The k-way merge of the runs: a binary heap of each run's next entry.
    struct Merged {
        var sources: [Source]
        /// (entry, source index), a min-heap on the entry (ties by source: earlier runs first).
        var heap: [(Entry, Int)] = []
        var started = false
        let keepAlive: RunFiles

        init(sources: [Source], keepAlive: RunFiles) {
            self.sources = sources
            self.keepAlive = keepAlive
        }

        mutating func next() throws -> Entry? {
            if !started {
                started = true
                for index in sources.indices {
                    if let entry = try sources[index].next() { push((entry, index)) }
                }
            }
            guard let (entry, source) = pop() else { return nil }
            if let following = try sources[source].next() { push((following, source)) }
            return entry
        }

        private static func less(_ a: (Entry, Int), _ b: (Entry, Int)) -> Bool {
            a.0 < b.0 || (!(b.0 < a.0) && a.1 < b.1)
        }

        private mutating func push(_ item: (Entry, Int)) {
            heap.append(item)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.less(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func pop() -> (Entry, Int)? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let top = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, Self.less(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.less(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
            return top
        }
    }
}
