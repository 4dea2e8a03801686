// Runs a program as a child process (a service binary, redis-server), for tests at process
// level and for benchmarks.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sa::testbed {

class ChildProcess {
 public:
  // Starts `binary` with `args` and no signal blocked; stderr goes to `log_path` (appended),
  // and stdout to `stdout_path` (appended) when given, else to this process's stdout.
  static absl::StatusOr<ChildProcess> Start(const std::string& binary,
                                            const std::vector<std::string>& args,
                                            const std::string& log_path,
                                            const std::string& stdout_path = "");
  ChildProcess(ChildProcess&& other) noexcept;
  ~ChildProcess();  // SIGKILLs a still-running child

  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the raw wait status.
  int Stop(int signal);
  // Sends `signal` without waiting (e.g. SIGTERM, then look at what clients see meanwhile).
  void Signal(int signal);
  // Waits up to `timeout` for the child to exit by itself; its wait status or DeadlineExceeded.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // True (and reaped) once the child exited; never blocks.
  bool Exited();

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
};

// Waits until `path` exists and holds a line, returning it (e.g. a --grpc_port_file).
absl::StatusOr<std::string> WaitForFileLine(const std::string& path, absl::Duration timeout);

}  // namespace sa::testbed
