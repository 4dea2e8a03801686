// Loopback ports for servers that tests and benchmarks start.
#pragma once

namespace sa::testbed {

// A TCP port on 127.0.0.1 that the kernel just handed out (free at the time of the call; a
// server started on it may still lose it to another program, so callers retry); 0 if none.
int FreeLoopbackPort();

}  // namespace sa::testbed
