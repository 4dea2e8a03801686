#include "collector/ingest/directory_watcher.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "formats/article_files.h"

namespace sa::collector {
namespace fs = std::filesystem;

namespace {

absl::Time ModifiedAt(const fs::path& path, std::error_code& ec) {
  auto written = fs::last_write_time(path, ec);
  if (ec) return absl::InfinitePast();
  auto since = written - fs::file_time_type::clock::now();
  // Real time, not a Clock: file times are the file system's wall clock.
  return absl::Now() +
         absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(since));
}

// Moves `file` into `folder`, adding a suffix if a file of that name is already there.
void MoveInto(const fs::path& file, const fs::path& folder, std::error_code& ec) {
  fs::path target = folder / file.filename();
  for (int i = 1; fs::exists(target, ec) && i < 1000; ++i) {
    target = folder / absl::StrCat(file.filename().string(), ".", i);
  }
  fs::rename(file, target, ec);
}

}  // namespace

DirectoryWatcher::DirectoryWatcher(Ingester& ingester, DirectoryWatcherOptions options)
    : ingester_(ingester), options_(std::move(options)) {}

DirectoryWatcher::~DirectoryWatcher() { Stop(); }

absl::Status DirectoryWatcher::Start() {
  std::error_code ec;
  const fs::path dir(options_.directory);
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--watch_dir ", options_.directory, " is not a directory"));
  }
  for (const char* sub : {"done", "failed"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("--watch_dir: cannot create ", (dir / sub).string(), ": ", ec.message()));
    }
  }
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void DirectoryWatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void DirectoryWatcher::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.scan_interval)) return;
    }
    ScanResult r = ScanOnce();
    if (r.files_done + r.files_failed + r.files_retry > 0) {
      log::Info("watch_dir.scanned", {{"done", r.files_done},
                                      {"failed", r.files_failed},
                                      {"retry", r.files_retry},
                                      {"published", r.published},
                                      {"duplicates", r.duplicates},
                                      {"rejected", r.rejected}});
    }
  }
}

ScanResult DirectoryWatcher::ScanOnce() {
  ScanResult result;
  std::error_code ec;
  const fs::path dir(options_.directory);
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    std::string name = path.filename().string();
    if (!it->is_regular_file(ec) || absl::StartsWith(name, ".") || absl::EndsWith(name, ".tmp") ||
        absl::EndsWith(name, ".part")) {
      continue;
    }
    if (absl::Now() - ModifiedAt(path, ec) < options_.settle_time) continue;  // still being written
    files.push_back(path);
  }
  if (ec)
    log::Warning("watch_dir.unreadable", {{"dir", options_.directory}, {"error", ec.message()}});
  std::sort(files.begin(), files.end());

  auto fail = [&](const fs::path& path, const std::string& reason) {
    std::ofstream(dir / "failed" / absl::StrCat(path.filename().string(), ".error")) << reason;
    MoveInto(path, dir / "failed", ec);
    if (ec)
      log::Warning("watch_dir.move_failed", {{"file", path.string()}, {"error", ec.message()}});
    ++result.files_failed;
  };
  for (const fs::path& path : files) {
    auto articles = formats::LoadArticles(path.string());
    if (!articles.ok()) {
      fail(path, absl::StrCat(articles.status().message(), "\n"));
      log::Warning("watch_dir.file_failed",
                   {{"file", path.string()}, {"error", articles.status()}});
      continue;
    }
    bool retry = false;
    std::string rejections;  // "article N: reason" lines
    for (size_t n = 0; n < articles->size(); ++n) {
      auto ingested = ingester_.Ingest((*articles)[n]);
      if (ingested.ok()) {
        ingested->duplicate() ? ++result.duplicates : ++result.published;
      } else if (ingested.status().code() == absl::StatusCode::kInvalidArgument) {
        ++result.rejected;
        absl::StrAppend(&rejections, "article ", n + 1, " of ", articles->size(), ": ",
                        ingested.status().message(), "\n");
        log::Warning("watch_dir.article_rejected",
                     {{"file", path.string()}, {"article", n + 1}, {"error", ingested.status()}});
      } else {
        log::Warning("watch_dir.retry_later",
                     {{"file", path.string()}, {"error", ingested.status()}});
        retry = true;
        break;
      }
    }
    if (retry) {
      ++result.files_retry;
      continue;
    }
    if (!rejections.empty()) {
      // The file's other articles are published; the file goes to failed/ with the reasons.
      fail(path, rejections);
      continue;
    }
    MoveInto(path, dir / "done", ec);
    if (ec)
      log::Warning("watch_dir.move_failed", {{"file", path.string()}, {"error", ec.message()}});
    ++result.files_done;
  }
  return result;
}

}  // namespace sa::collector
