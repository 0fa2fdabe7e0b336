#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`), which bounds its connections.
///
///     let files = OpenFileLimit.raise()   // soft limit raised to the hard one; the limit now in force
///
/// Every connection holds a descriptor, and so does every connection a listener closes until it is
/// closed; distributions often start processes with a soft limit of 1,024. `BridgeServer.run()`
/// raises the soft limit to the hard limit (which only an administrator can raise, e.g. with
/// `LimitNOFILE=` in a systemd unit) and warns when it is below about twice the connection caps.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit; returns the soft limit in force afterwards.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: Int.max
    }

    #if canImport(Glibc)
        static var resource: __rlimit_resource_t { __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue)) }
    #else
        static var resource: Int32 { RLIMIT_NOFILE }
    #endif
}
