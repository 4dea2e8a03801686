#include "extract/topic_classifier.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "extract/event_extractor.h"

namespace sa::extract {
namespace {
constexpr int kMaxKeywords = 20;
}  // namespace

void AddTopicsAndKeywords(const Gazetteer& g, const ArticleText& text,
                          summit_alerts::v1::Event& event) {
  struct TopicTally {
    double hits = 0;
    Mention first;
    bool has_first = false;
  };
  std::map<uint32_t, TopicTally> topics;  // ordered by taxonomy position for stable output
  std::vector<std::string> keywords;
  absl::flat_hash_set<std::string> keyword_seen;
  for (int f = 0; f < 2; ++f) {
    for (const auto& hit : g.topic_cues().FindAll(text.fields[f].tokens)) {
      TopicTally& tally = topics[hit.value >> 16];
      tally.hits += f == 0 ? 2 : 1;
      if (!tally.has_first) {
        tally.first = text.Span(f, hit.first_token, hit.last_token);
        tally.has_first = true;
      }
      const std::string& cue = g.cue_text(hit.value, /*topic=*/true);
      if (static_cast<int>(keywords.size()) < kMaxKeywords &&
          keyword_seen.insert(text::NormalizePhrase(cue)).second) {
        keywords.push_back(cue);
      }
    }
  }
  std::vector<std::pair<double, uint32_t>> ranked;
  for (const auto& [id, tally] : topics) ranked.push_back({-tally.hits, id});
  std::stable_sort(ranked.begin(), ranked.end());
  if (ranked.size() > static_cast<size_t>(kMaxTopics)) ranked.resize(kMaxTopics);
  for (const auto& [neg_hits, id] : ranked) {
    auto* t = event.add_topics();
    t->set_name(g.topics()[id].name);
    t->set_score(1.0 - std::pow(0.5, -neg_hits));
    FillEvidence(text, topics[id].first, t->mutable_evidence());
  }
  for (std::string& k : keywords) event.add_keywords(std::move(k));
}

}  // namespace sa::extract
