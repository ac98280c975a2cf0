#ifndef TXAD_FUZZER_SUPPORT_H
#define TXAD_FUZZER_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the toolchain's fuzzer runtime, linked by -sanitize=fuzzer). Only referenced in builds
/// with -DFUZZING: SwiftPM renames an executable's `main`, so libFuzzer's own `main` cannot be used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
