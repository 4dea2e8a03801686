// The benchmarks' input: the seed story (data/sample) as sentences, rotated into variants so
// a benchmark does not scan one identical buffer, and the repository's extractor.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/text/tokenize.h"
#include "extract/event_extractor.h"

namespace sa::bench {

inline std::vector<std::string> SampleStorySentences() {
  std::ifstream in(SA_SOURCE_DIR "/data/sample/anchorage-summit.txt");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string story = buffer.str();
  std::vector<std::string> sentences;
  for (absl::string_view s : text::SplitSentences(story)) sentences.emplace_back(s);
  return sentences;
}

// The whole story with its body starting at sentence `shift` (wrapping around).
inline summit_alerts::v1::Article RotatedArticle(const std::vector<std::string>& sentences,
                                                 size_t shift) {
  summit_alerts::v1::Article article;
  std::string body;
  for (size_t i = 0; i < sentences.size(); ++i) {
    body.append(sentences[(i + shift) % sentences.size()]);
    body += ' ';
  }
  article.set_title("Trump and Putin to meet in Anchorage");
  article.set_body(body);
  return article;
}

// Built once from data/gazetteer; lives for the process.
inline const extract::EventExtractor& SampleExtractor() {
  static const auto* extractor = [] {
    auto gazetteer = extract::Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer");
    return new extract::EventExtractor(std::make_shared<extract::Gazetteer>(std::move(*gazetteer)));
  }();
  return *extractor;
}

}  // namespace sa::bench
