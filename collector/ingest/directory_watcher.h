// --watch_dir: articles dropped as files into a directory are ingested, then moved aside.
//
// Every `scan_interval` the directory's regular files (not hidden, not *.tmp / *.part, and
// untouched for `settle_time`, so half-written files wait) are read with LoadArticles (.txt,
// .json, .jsonl, feed documents) in name order and ingested. Then the file moves to done/; a
// file that cannot be read as articles, or with an article the Ingester rejects
// (InvalidArgument: invalid, or extraction failed), moves to failed/ with a FILE.error beside it
// saying why ("article N of M: reason" per rejected article); the file's other articles are
// published all the same, and a failed file is never read again. If
// Redis is unavailable the file stays where it is and is read again on the next scan (ingest is
// idempotent: what was already published is recognised as a duplicate), so nothing is lost.
// Writers should write elsewhere and rename into the directory (atomic on one filesystem).
#pragma once

#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/ingest/ingester.h"

namespace sa::collector {

struct DirectoryWatcherOptions {
  std::string directory;
  absl::Duration scan_interval = absl::Seconds(2);
  absl::Duration settle_time = absl::Seconds(1);
};

// What one scan did, for logs and tests.
struct ScanResult {
  int files_done = 0;
  int files_failed = 0;
  int files_retry = 0;  // left for the next scan (Redis unavailable)
  int published = 0;
  int duplicates = 0;
  int rejected = 0;
};

class DirectoryWatcher {
 public:
  DirectoryWatcher(Ingester& ingester, DirectoryWatcherOptions options);
  ~DirectoryWatcher();  // Stop()s

  // Creates done/ and failed/ if needed. FailedPrecondition when the directory is unusable.
  absl::Status Start();
  void Stop();

  // One scan, in the caller's thread.
  ScanResult ScanOnce();

 private:
  void Loop();

  Ingester& ingester_;
  const DirectoryWatcherOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sa::collector
