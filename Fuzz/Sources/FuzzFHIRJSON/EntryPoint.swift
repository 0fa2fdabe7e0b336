// SwiftPM links a debug executable with its entry point renamed to `FuzzFHIRJSON_main` (so that tests can
// link the module) and `main` defined as that name, so libFuzzer's own `main` is not the one
// that runs: this entry point hands over to libFuzzer's driver, which calls `LLVMFuzzerTestOneInput`.
import CFuzzerDriver

@_cdecl("FuzzFHIRJSON_main")
func fuzzerEntryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in testOneInput(data!, size) }
}
