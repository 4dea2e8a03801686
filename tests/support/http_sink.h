// The loopback HTTP sink of tests: testbed/http_sink.h under the name tests use.
#pragma once

#include "testbed/http_sink.h"

namespace sa::testing {

using testbed::HttpSink;

}  // namespace sa::testing
