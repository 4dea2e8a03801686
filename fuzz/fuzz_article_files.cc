// Article files (alertctl ingest, the collector's --watch_dir): ArticleFromText on the input,
// and LoadArticles on the input written to a file whose extension the first byte picks
// (.json: one Article in protobuf JSON, .jsonl: one per line, .txt: plain text or a feed).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "formats/article_files.h"

namespace {

std::string base;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("TMPDIR");
  base = std::string(dir ? dir : "/tmp") + "/fuzz_article_files." + std::to_string(getpid());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)sa::formats::ArticleFromText(content);
  static const char* const kExtensions[] = {".json", ".jsonl", ".txt"};
  std::string path = base + kExtensions[data[0] % 3];
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  std::fwrite(content.data(), 1, content.size(), file);
  std::fclose(file);
  (void)sa::formats::LoadArticles(path);
  std::remove(path.c_str());
  return 0;
}
