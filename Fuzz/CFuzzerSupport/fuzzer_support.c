// The declarations are in include/fuzzer_support.h; SwiftPM needs one source file per C target.
#include "fuzzer_support.h"
