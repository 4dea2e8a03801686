// Child processes for tests at process level: testbed/process.h under the names tests use.
#pragma once

#include "testbed/process.h"

namespace sa::testing {

using testbed::ChildProcess;
using testbed::WaitForFileLine;

}  // namespace sa::testing
