// The safetensors reader under libFuzzer, and a replayer of its corpus.
//
// Built by scripts/fuzz-safetensors.sh with `--sanitize fuzzer --sanitize address`
// and `-DFUZZING`: libFuzzer then provides `main` and calls the entry point
// below with inputs it mutates towards new code paths; AddressSanitizer stops
// on any read outside the file. Built plainly (as `swift build` does), it is
// a program that opens each file named on its command line the same way.
import Foundation
import xLSTMNN

/// Opens `bytes` as a safetensors file and, when it opens, reads every
/// floating-point tensor: each malformed input must end in a thrown error.
func exercise(_ bytes: [UInt8]) {
    guard let file = try? SafeTensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return }
    for name in file.names where file.info(name)!.dtype.isReadableAsFloatingPoint {
        _ = try? file.tensor(name, as: Float.self)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    exercise(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
@main
struct SafeTensorsFuzzerReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            exercise(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }
}
#endif
